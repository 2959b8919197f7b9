// Pure tests of the stderr framing (no sshd needed); they live beside the SSH suites they protect.
import { describe, expect, it } from '@jest/globals';
import { parseOutputs, TrailerReader } from '../../src/targets/ssh-trailer.js';
import { buildPayload, shQuote } from '../../src/targets/ssh-wrapper.js';

const MARK = '::stepwise-trailer-0123456789abcdef::';

function feed(chunks: (string | Buffer)[]): { passed: string; reader: TrailerReader } {
  const out: Buffer[] = [];
  const reader = new TrailerReader(MARK, (c) => out.push(Buffer.from(c)));
  for (const c of chunks) reader.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  reader.end();
  return { passed: Buffer.concat(out).toString(), reader };
}

describe('TrailerReader', () => {
  it('passes stderr through and parses the trailer', () => {
    const { passed, reader } = feed([`warning\n${MARK} 3 0 8\na=1\nb=2\n`]);
    expect(passed).toBe('warning\n');
    expect(reader.trailer()).toEqual({ status: 3, killed: false, outputs: Buffer.from('a=1\nb=2\n') });
  });

  it('finds a marker split over chunks at every position, byte by byte too', () => {
    const whole = `err:${MARK} 0 1 3\nx=y`;
    for (let cut = 1; cut < whole.length; cut++) {
      const { passed, reader } = feed([whole.slice(0, cut), whole.slice(cut)]);
      expect(passed).toBe('err:');
      expect(reader.trailer()).toEqual({ status: 0, killed: true, outputs: Buffer.from('x=y') });
    }
    const { passed, reader } = feed([...whole].map((ch) => ch));
    expect(passed).toBe('err:');
    expect(reader.trailer()?.outputs.toString()).toBe('x=y');
  });

  it('does not hold back ordinary output, only a possible marker start', () => {
    const out: string[] = [];
    const reader = new TrailerReader(MARK, (c) => out.push(c.toString()));
    reader.push(Buffer.from('progress 50%'));
    expect(out.join('')).toBe('progress 50%');
    reader.push(Buffer.from('done\n::step'));
    expect(out.join('')).toBe('progress 50%done\n');
    reader.push(Buffer.from('ping\n'));
    expect(out.join('')).toBe('progress 50%done\n::stepping\n');
  });

  it('reports no trailer when the wrapper never finished, and releases held bytes at the end', () => {
    const { passed, reader } = feed(['Connection to host closed.\n::stepwise']);
    expect(reader.trailer()).toBeUndefined();
    expect(passed).toBe('Connection to host closed.\n::stepwise');
  });

  it('treats a garbled header as stderr, not as a result', () => {
    const { passed, reader } = feed([`${MARK} nonsense here\nmore\n`]);
    expect(reader.trailer()).toBeUndefined();
    expect(passed).toContain('nonsense here');
    expect(passed).toContain('more');
  });
});

describe('parseOutputs', () => {
  it('splits on the first =, ignores blank and malformed lines, keeps __proto__ as data', () => {
    const outputs = parseOutputs(Buffer.from('a=1\r\n\nb=x=y\nnoequals\n=novalue\nc=\n__proto__=p\na=2\n'));
    expect(Object.entries(outputs)).toEqual([['a', '2'], ['b', 'x=y'], ['c', ''], ['__proto__', 'p']]);
    expect(Object.getPrototypeOf(outputs)).toBe(Object.prototype);
  });
});

describe('wrapper payload', () => {
  it('single-quotes any value so sh reads it back verbatim', () => {
    expect(shQuote(`a'b`)).toBe(`'a'\\''b'`);
  });

  it('frames the payload with its byte length and keeps secrets out of the bootstrap', () => {
    const payload = buildPayload({ script: 'echo é', shell: 'bash', env: { T: 'tok' }, killGraceMs: 5000, marker: MARK });
    const nl = payload.indexOf('\n');
    expect(Number(payload.subarray(0, nl).toString())).toBe(payload.length - nl - 1);
    expect(payload.toString()).toContain("export T='tok'");
  });
});
