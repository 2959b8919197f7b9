/**
 * Seeded generators of hostile text for the report's property tests: markup, attribute
 * breakers, end tags of the inline blocks, terminal escapes and controls, mixed at random
 * (the seed makes a failure reproducible).
 */

import { seededRandom } from '../../helpers/seeded-random.js';

export { seededRandom };

const PIECES = [
  '<script>window.__pwned=1</script>', '</script>', '</style>', '<style>', '<img src=x onerror=window.__pwned=1>', '"', "'", '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)", '&', '&amp;', '&lt;', '<!--', '-->', '<![CDATA[', ']]>', '`', '${x}', '\u001b[31m', '\u001b[0m', '\u001b[38;5;196m', '\u001b[38;2;1;2;3m',
  '\u001b]8;;javascript:alert(1)\u0007link\u001b]8;;\u0007', '\u001b[2K', '\u001b[', '\u001b', '\r', '\t', '\u0000', '\u0007', '\u009b31m', '\u202e', '\u2066',
  'plain text', ' ', 'é', '😀', '\ud800', 'javascript:', 'data:text/html,<b>x</b>', '<a href="javascript:alert(1)">x</a>', '<meta http-equiv="refresh" content="0">',
];

/** A random string of hostile pieces and random code points. */
export function hostileString(random: () => number, maxPieces = 12): string {
  let text = '';
  const count = Math.floor(random() * maxPieces);
  for (let i = 0; i < count; i++) {
    if (random() < 0.8) text += PIECES[Math.floor(random() * PIECES.length)] ?? '';
    else text += String.fromCodePoint(Math.floor(random() * 0x2fff));
  }
  return text;
}
