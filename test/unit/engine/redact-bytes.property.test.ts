/**
 * Masking bytes is masking text (SPEC §4): for hostile secrets — multi-byte chars, lone
 * surrogates, `*`, replacement patterns — and valid UTF-8 output that holds them, or parts of
 * them, `maskBytes` gives exactly the UTF-8 of what `mask` gives on the decoded text, and
 * returns the very same buffer when nothing was masked.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Redactor } from '../../../src/engine/redact.js';

const secretArb = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
  fc.constantFrom('s3cr3t', '😀', '\uD83D', '\uDE00', 'é', '*', '$&', '$1', 'a\nb', '\r', 'ab'),
);

describe('Redactor.maskBytes (property)', () => {
  it('equals mask on the decoded text', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 4 }).chain((secrets) =>
          fc.tuple(
            fc.constant(secrets),
            fc.array(fc.oneof(fc.constantFrom(...secrets), fc.constantFrom('😀', 'x', ' ', '\n', '*', 'é'), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 20 }).map((p) => p.join('')),
          ),
        ),
        ([secrets, text]) => {
          const redactor = new Redactor(secrets);
          // As the collector has it: valid UTF-8 (a lone surrogate of the text became U+FFFD).
          const bytes = Buffer.from(text, 'utf8');
          const masked = redactor.maskBytes(bytes);
          expect(masked.equals(Buffer.from(redactor.mask(bytes.toString('utf8')), 'utf8'))).toBe(true);
          if (redactor.mask(bytes.toString('utf8')) === bytes.toString('utf8')) expect(masked).toBe(bytes);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('returns the same buffer when no secret occurs', () => {
    const bytes = Buffer.from('nothing to see\n');
    expect(new Redactor(['s3cr3t', '😀']).maskBytes(bytes)).toBe(bytes);
  });
});
