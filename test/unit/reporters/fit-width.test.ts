/** Lines left on screen are broken at spaces to the terminal's width, never inside a word (a run id). */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fitWidth } from '../../../src/reporters/fit-width.js';

const word = fc.stringMatching(/^[A-Za-z0-9.:\-/"]{1,30}$/);

describe('fitWidth', () => {
  it('keeps two-space parts whole when they fit a line of their own', () => {
    expect(fitWidth('✖ nightly failed and was rolled back in 2s  3 ran · run 20261130T030000.000Z-ab12 · exit 1', 60)).toEqual([
      '✖ nightly failed and was rolled back in 2s',
      '  3 ran · run 20261130T030000.000Z-ab12 · exit 1',
    ]);
  });

  it('never splits a word, never exceeds the width unless one word alone does, and loses no word', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), fc.array(fc.constantFrom(' ', '  ', '   '), { minLength: 30, maxLength: 30 }), fc.integer({ min: 10, max: 120 }), (words, gaps, width) => {
        const line = words.map((w, i) => (i === 0 ? w : `${gaps[i] ?? ' '}${w}`)).join('');
        const lines = fitWidth(line, width, '  ');
        expect(lines.join(' ').split(/\s+/).filter(Boolean)).toEqual(words);
        for (const l of lines) {
          const alone = l.trim();
          if (l.length > width) expect(alone.includes(' ')).toBe(false);
        }
      }),
    );
  });
});
