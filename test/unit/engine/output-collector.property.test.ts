/**
 * The output collector as a property (a trust boundary: what a step prints is shown and
 * stored, secrets must not be): for hostile output — invalid UTF-8, multi-byte chars,
 * carriage returns, secrets that sit across the pipe's chunk boundaries — split into
 * random chunks, the emitted blocks are exactly the lines a line-by-line model gives
 * (decoded, masked, one `\r` before the newline removed), no block holds a secret's bytes,
 * `lines` decodes `bytes`, and the stdout tail is the real text.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { OutputStream } from '../../../src/targets/executor.js';
import { decodeLines, outputEvent } from '../../../src/engine/output-bytes.js';
import { OutputCollector, STDOUT_TAIL_BYTES } from '../../../src/engine/output-collector.js';
import { Redactor } from '../../../src/engine/redact.js';

/** Pieces a step's output is made of; secrets are mixed in by the generator. */
const PIECES = ['a', 'line', ' ', '\n', '\r\n', '\r', '\t', 'é', '日本', '😀', '\u001b[31m', '*', '***', '$&', '\\', '0'];
const INVALID = [Buffer.from([0xff]), Buffer.from([0xe6, 0x97]), Buffer.from([0xc2]), Buffer.from([0x9b]), Buffer.from([0xf0, 0x9f, 0x98])];

/** A secret: hostile text without a newline (a secret spanning lines is masked only within one block). */
const secretArb = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
  fc.array(fc.constantFrom('s3cr3t', 'é', '😀', '*', '$1', '\\', '\r', ' ', 'ab', '.*'), { minLength: 1, maxLength: 4 }).map((p) => p.join('')),
).filter((s) => !s.includes('\n'));

const outputArb = (secrets: string[]) =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...PIECES).map((p) => Buffer.from(p)) },
      { weight: 3, arbitrary: fc.constantFrom(...secrets).map((s) => Buffer.from(s)) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((s) => Buffer.from(s)) },
    ),
    { maxLength: 60 },
  ).map((parts) => Buffer.concat(parts));

/** Cuts `data` at the given offsets (sorted, deduplicated): the pipe's chunks. */
function chunksOf(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, data.length]) {
    if (p > from) chunks.push(data.subarray(from, p));
    from = Math.max(from, p);
  }
  return chunks;
}

/** What the lines must be: the whole output decoded, split, masked line by line, one `\r` before each newline gone. */
function modelLines(data: Buffer, redactor: Redactor): string[] {
  const lines = data.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => redactor.mask(line)).map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

function collect(redactor: Redactor, data: Record<OutputStream, Buffer>, cuts: number[]) {
  const emitted: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const collector = new OutputCollector(redactor, (stream, bytes) => emitted[stream].push(bytes));
  const stdout = chunksOf(data.stdout, cuts);
  const stderr = chunksOf(data.stderr, cuts.map((c) => c * 7 + 3));
  // Interleaved, as two pipes deliver them.
  for (let i = 0; i < Math.max(stdout.length, stderr.length); i++) {
    const out = stdout[i];
    const err = stderr[i];
    if (out) collector.push('stdout', out);
    if (err) collector.push('stderr', err);
  }
  collector.flush();
  return { emitted, tail: collector.stdoutTail() };
}

describe('OutputCollector (property)', () => {
  it('emits the model lines, masked, as bytes that end every line with a newline, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 0, maxLength: 3 }).chain((secrets) =>
          fc.tuple(fc.constant(secrets), outputArb(secrets.length ? secrets : ['x']), outputArb(secrets.length ? secrets : ['x']), fc.array(fc.nat(4000), { maxLength: 30 })),
        ),
        ([secrets, stdout, stderr, cuts]) => {
          const redactor = new Redactor(secrets);
          const { emitted, tail } = collect(redactor, { stdout, stderr }, cuts);
          for (const stream of ['stdout', 'stderr'] as const) {
            const blocks = emitted[stream];
            for (const block of blocks) {
              expect(block.length).toBeGreaterThan(0);
              expect(block[block.length - 1]).toBe(0x0a);
              expect(outputEvent({ type: 'step.output', stepId: 's', phase: 'run', stream }, block).lines).toEqual(decodeLines(block));
            }
            const all = Buffer.concat(blocks);
            expect(decodeLines(all)).toEqual(modelLines(stream === 'stdout' ? stdout : stderr, redactor));
            // No secret survives in what is shown or stored, not even one cut by a chunk boundary. (Secrets
            // with `*` are left out here: masking one can spell another with the `***` it inserts.)
            for (const secret of secrets) if (!secret.includes('*')) expect(all.toString('utf8').includes(secret)).toBe(false);
          }
          // The tail is the real text, not masked: it is data for later steps.
          const text = stdout.toString('utf8');
          const expectedTail = (text.endsWith('\n') || text === '' ? text : `${text}\n`).slice(-STDOUT_TAIL_BYTES).trim();
          expect(tail).toBe(expectedTail);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('masks a secret split across many one-byte chunks', () => {
    const secret = 'pässwörd-😀-s3cr3t';
    const data = Buffer.from(`before ${secret} after\nnext ${secret}`);
    const { emitted } = collect(new Redactor([secret]), { stdout: data, stderr: Buffer.alloc(0) }, Array.from({ length: data.length }, (_, i) => i));
    expect(decodeLines(Buffer.concat(emitted.stdout))).toEqual(['before *** after', 'next ***']);
  });

  it('a secret that is half of a surrogate pair is masked as in text (the rest of the char becomes U+FFFD)', () => {
    const { emitted } = collect(new Redactor(['\uD83D']), { stdout: Buffer.from('x 😀 y\n'), stderr: Buffer.alloc(0) }, [3, 4]);
    expect(Buffer.concat(emitted.stdout).toString()).toBe('x ***\uFFFD y\n');
  });

  it('a secret that ends with a newline is masked with it, and the block still ends in a newline', () => {
    const { emitted } = collect(new Redactor(['tok\n']), { stdout: Buffer.from('a tok\nb\n'), stderr: Buffer.alloc(0) }, []);
    const all = Buffer.concat(emitted.stdout);
    expect(all.toString()).toBe('a ***b\n');
  });

  it('passes on a line longer than 1 MiB without a newline in pieces, keeping the tail bounded', () => {
    const emitted: Buffer[] = [];
    const collector = new OutputCollector(new Redactor([]), (_stream, bytes) => emitted.push(bytes));
    const piece = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 40; i++) collector.push('stdout', piece);
    collector.flush();
    expect(emitted.length).toBeGreaterThan(1);
    expect(emitted.reduce((n, b) => n + b.length, 0)).toBe(40 * piece.length + emitted.length);
    // The last 64 Ki chars end with the newline added after the cut piece; trimmed.
    expect(collector.stdoutTail()).toBe('x'.repeat(STDOUT_TAIL_BYTES - 1));
  });

  it('keeps the last 64 KiB of a tail of three-byte chars (counted in chars, as the string is)', () => {
    const collector = new OutputCollector(new Redactor([]), () => undefined);
    const line = `${'日'.repeat(999)}\n`;
    for (let i = 0; i < 300; i++) collector.push('stdout', Buffer.from(line));
    expect(collector.stdoutTail()).toBe(line.repeat(300).slice(-STDOUT_TAIL_BYTES).trim());
  });
});
