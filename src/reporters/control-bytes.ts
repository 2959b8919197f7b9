/**
 * The byte twin of `hasControlCodes` (terminal-style.ts), for step output the plain reporter
 * moves as bytes: output without control codes is written as it is, output with them goes
 * through `sanitize` as text. A step may print gigabytes, so the scan looks at four bytes at
 * a time and at single bytes only in the rare words that may hold one.
 */

/** 1 for the single-byte chars `sanitize` removes: C0 controls but tab and newline, and DEL. */
const CONTROL = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) CONTROL[b] = b === 0x09 || b === 0x0a ? 0 : 1;
CONTROL[0x7f] = 1;

/** Lead byte of U+009B (CSI, a C1 control `sanitize` removes too) in UTF-8: `C2 9B`. */
const C1_LEAD = 0xc2;
const CSI_TRAIL = 0x9b;

/**
 * True when valid UTF-8 `bytes` hold a char `hasControlCodes` finds in their text: a C0
 * control other than tab and newline, DEL, or U+009B. (Escape sequences start with ESC, a C0
 * control.)
 */
export function hasControlBytes(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return someControl(bytes, 0, bytes.length);
  // Single bytes up to the first 4-byte boundary, so the word view is aligned.
  const head = (4 - (bytes.byteOffset & 3)) & 3;
  if (someControl(bytes, 0, head)) return true;
  const words = (bytes.length - head) >>> 2;
  const view = new Int32Array(bytes.buffer, bytes.byteOffset + head, words);
  for (let k = 0; k < words; k++) {
    const x = view[k] as number;
    const del = x ^ 0x7f7f7f7f;
    const lead = x ^ 0xc2c2c2c2;
    // Word tests that are exact for "some byte of x is < 0x20", "… is 0x7F", "… is 0xC2"
    // (Bit Twiddling Hacks: hasless, haszero). Newlines make the first one hit about one
    // word a line; only those words are looked at byte by byte.
    if ((((x - 0x20202020) & ~x) | ((del - 0x01010101) & ~del) | ((lead - 0x01010101) & ~lead)) & 0x80808080) {
      const at = head + 4 * k;
      if (someControl(bytes, at, at + 4)) return true;
    }
  }
  return someControl(bytes, head + 4 * words, bytes.length);
}

function someControl(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i] as number;
    if (CONTROL[b] === 1 || (b === C1_LEAD && bytes[i + 1] === CSI_TRAIL)) return true;
  }
  return false;
}
