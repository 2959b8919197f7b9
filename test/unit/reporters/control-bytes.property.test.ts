/**
 * The byte scan for control codes agrees with the text scan (a trust boundary: a step's
 * output must not drive the operator's terminal or garble a cron mail): for any valid UTF-8 —
 * escape sequences, C0 and C1 controls, DEL, chars whose UTF-8 holds a 0x9B byte without being
 * CSI — at any alignment, `hasControlBytes` says what `hasControlCodes` says of its text.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hasControlBytes } from '../../../src/reporters/control-bytes.js';
import { hasControlCodes } from '../../../src/reporters/terminal-style.js';

const PIECES = ['a', 'line', '\n', '\t', ' ', 'é', 'ě', 'ћ', '日本', '😀', '\u00a0', '°', '\u009b', '\u0085', '\u001b[31m', '\u0007', '\r', '\u0000', '\u007f', '\u001f', '\u0008', '\u000b'];

/** The bytes of `text` placed at `offset` in a larger buffer, so the word scan starts unaligned. */
function at(text: string, offset: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const big = Buffer.alloc(bytes.length + offset + 3, 0x41);
  bytes.copy(big, offset);
  return big.subarray(offset, offset + bytes.length);
}

describe('hasControlBytes (property)', () => {
  it('agrees with hasControlCodes on the decoded text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }), { maxLength: 40 }).map((p) => p.join('')),
        fc.nat(7),
        (raw, offset) => {
          // Valid UTF-8 only, as the collector hands it on.
          const text = Buffer.from(raw, 'utf8').toString('utf8');
          expect(hasControlBytes(at(text, offset))).toBe(hasControlCodes(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('finds one control byte anywhere in a long clean block, and none in the block itself', () => {
    const clean = `${'0'.repeat(99)}\n`.repeat(700);
    expect(hasControlBytes(Buffer.from(clean))).toBe(false);
    for (const position of [0, 1, 2, 3, 4, 5, 65534, clean.length - 2]) {
      for (const code of ['\u001b', '\r', '\u007f', '\u009b']) {
        const text = clean.slice(0, position) + code + clean.slice(position + 1);
        expect(hasControlBytes(Buffer.from(text))).toBe(true);
      }
    }
  });
});
