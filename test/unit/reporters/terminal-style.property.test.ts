/**
 * Terminal styling and stripping (src/reporters/terminal-style.ts): the exact SGR codes the
 * views have always written, nothing at all without colour, and, as a property over hostile
 * text, that nothing a step or a runbook prints can reach a terminal as a control sequence.
 */
import { describe, expect, it } from '@jest/globals';
import { createStyle, hasControlCodes, sanitize, visibleLength } from '../../../src/reporters/terminal-style.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const ESC = '\u001b';

describe('createStyle', () => {
  it('writes the same SGR codes whatever stdout is (colour is the caller’s decision)', () => {
    const style = createStyle(true);
    expect([style.bold, style.dim, style.italic, style.underline, style.red, style.green, style.yellow, style.cyan].map((paint) => paint('x'))).toEqual([
      `${ESC}[1mx${ESC}[22m`, `${ESC}[2mx${ESC}[22m`, `${ESC}[3mx${ESC}[23m`, `${ESC}[4mx${ESC}[24m`,
      `${ESC}[31mx${ESC}[39m`, `${ESC}[32mx${ESC}[39m`, `${ESC}[33mx${ESC}[39m`, `${ESC}[36mx${ESC}[39m`,
    ]);
    expect(style.bold('')).toBe('');
    expect(visibleLength(style.bold(style.red('twelve chars')))).toBe(12);
  });

  it('without colour changes nothing', () => {
    const style = createStyle(false);
    expect([style.bold, style.dim, style.red, style.cyan].map((paint) => paint('x'))).toEqual(['x', 'x', 'x', 'x']);
  });
});

describe('sanitize', () => {
  it('removes SGR, cursor and OSC sequences (hyperlinks, titles) whole, and lone control characters', () => {
    expect(sanitize(`${ESC}[31mred${ESC}[0m`)).toBe('red');
    expect(sanitize(`${ESC}[2J${ESC}[?25lclear`)).toBe('clear');
    expect(sanitize(`${ESC}]8;;https://evil.example${ESC}\\label${ESC}]8;;${ESC}\\`)).toBe('label');
    expect(sanitize(`${ESC}]0;title\u0007text`)).toBe('text');
    expect(sanitize(`bell\u0007 nul\u0000 del\u007f csi\u009b esc${ESC}`)).toBe('bell nul del csi esc');
    // Text between a sequence and a BEL is text (Node's stripVTControlCharacters drops it).
    expect(sanitize(`${ESC}[31mred${ESC}[0m and ${ESC}[2Jclear\u0007`)).toBe('red and clear');
    expect(sanitize('tab\tand\nnewline stay; ünïcödé too')).toBe('tab\tand\nnewline stay; ünïcödé too');
  });

  it('leaves no control character in any text, and changes text that has none not at all (seeded)', () => {
    const random = seededRandom(14);
    const pieces = [ESC, '[', ']', '(', ';', '?', '\\', '\u0007', '\u0000', '\u009b', '\u009c', '\u007f', '\r', '\b', '\t', '\n', '0', '1', '38', '5', 'm', 'H', 'K', 'a', 'é', ' ', '8', 'https://x'];
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 24) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const clean = sanitize(text);
      expect({ text, clean, controls: hasControlCodes(clean) }).toEqual({ text, clean, controls: false });
      expect(sanitize(clean)).toBe(clean);
      if (!hasControlCodes(text)) expect(clean).toBe(text);
    }
  });
});
