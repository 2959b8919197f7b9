// Pure tests of the supervisor protocol's node side (no sshd needed); they live beside the SSH suites they protect.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { MarkerSplitter, ProtocolError, StderrReader, StdoutReader, type StepEnd } from '../../src/targets/remote/step-streams.js';
import { invalidEnvNames, killFrame, shQuote, stepFrame, unsendable } from '../../src/targets/remote/step-frame.js';
import { SUPERVISOR_COMMAND, supervisorUpload } from '../../src/targets/remote/supervisor-script.js';
import { parseOutputsFile } from '../../src/targets/shell-command.js';

const READY = 'stepwise-supervisor 2 ready 4242\n';
const MARK = '::stepwise-0123456789abcdef0123456789abcdef::';

/** Feeds the chunks to a StdoutReader that begins one step after the ready line. */
function stdout(chunks: (string | Buffer)[]): { ready: number[]; out: Buffer; ends: StepEnd[]; reader: StdoutReader } {
  const ready: number[] = [];
  const outs: Buffer[] = [];
  const ends: StepEnd[] = [];
  const reader = new StdoutReader({
    ready: (pid) => { ready.push(pid); reader.begin(MARK); },
    output: (c) => outs.push(Buffer.from(c)),
    end: (e) => ends.push(e),
  });
  for (const c of chunks) reader.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
  return { ready, out: Buffer.concat(outs), ends, reader };
}

describe('StdoutReader', () => {
  it('skips what the login shell printed before the ready line and keeps it for error messages', () => {
    const { ready, reader } = stdout(['Welcome to host!\nlast login: never\n', READY]);
    expect(ready).toEqual([4242]);
    expect(reader.preamble).toBe('Welcome to host!\nlast login: never\n');
  });

  it('passes the step\'s output on, any bytes, up to its marker, then parses the report (cut anywhere)', () => {
    const bytes = Buffer.from([0, 1, 2, 10, 255, 0x0a, 0x3a, 0x3a]);
    const whole = Buffer.concat([Buffer.from(READY), bytes, Buffer.from(`::stepwise-0${MARK} x 137 1 1 2 4 8\nwhy!a=1\nb=2\n`)]);
    for (let cut = 0; cut <= whole.length; cut++) {
      const { out, ends } = stdout([whole.subarray(0, cut), whole.subarray(cut)]);
      expect(out).toEqual(Buffer.concat([bytes, Buffer.from('::stepwise-0')]));
      expect(ends).toEqual([{ status: 137, killed: true, cut: true, leftovers: 2, why: 'why!', outputs: Buffer.from('a=1\nb=2\n') }]);
    }
    // Byte by byte too.
    const { out, ends } = stdout([...whole].map((b) => Buffer.from([b])));
    expect(out).toEqual(Buffer.concat([bytes, Buffer.from('::stepwise-0')]));
    expect(ends).toHaveLength(1);
  });

  it('does not hold back ordinary output, only a possible marker start', () => {
    const outs: string[] = [];
    const splitter = new MarkerSplitter(Buffer.from(MARK), (c) => outs.push(c.toString()));
    expect(splitter.push(Buffer.from('progress 50%'))).toBeUndefined();
    expect(outs.join('')).toBe('progress 50%');
    splitter.push(Buffer.from('done\n::step'));
    expect(outs.join('')).toBe('progress 50%done\n');
    splitter.push(Buffer.from('ping\n'));
    expect(outs.join('')).toBe('progress 50%done\n::stepping\n');
  });

  it('refuses a garbled report instead of guessing', () => {
    for (const bad of [' x 1\n', ' y 0 0 0 0 0 0\n', ' x 0 2 0 0 0 0\n', ` x 0 0 0 0 0 ${2 * 1024 * 1024}\n`, ` x ${'1'.repeat(200)}\n`]) {
      expect(() => stdout([READY, MARK, bad])).toThrow(ProtocolError);
    }
  });

  it('gives up on a login that never starts the supervisor', () => {
    expect(() => stdout(['y\n'.repeat(600 * 1024)])).toThrow(/without starting the supervisor/);
  });
});

describe('StderrReader', () => {
  it('passes the step\'s stderr up to its end marker; keeps what comes outside a step as diagnostics', () => {
    const outs: string[] = [];
    let ended = 0;
    const reader = new StderrReader((c) => outs.push(c.toString()), () => ended++);
    reader.push(Buffer.from('login chatter\n'));
    reader.begin(MARK);
    reader.push(Buffer.from(`warn: x\nno newline${MARK.slice(0, 9)}`));
    reader.push(Buffer.from(`${MARK.slice(9)} e\nConnection closed\n`));
    expect(outs.join('')).toBe('warn: x\nno newline');
    expect(ended).toBe(1);
    expect(reader.diagnostics).toBe('login chatter\nConnection closed\n');
  });
});

describe('step frames', () => {
  it('single-quotes any value so sh reads it back verbatim', () => {
    expect(shQuote(`a'b`)).toBe(`'a'\\''b'`);
  });

  it('counts the lines of the body exactly (values with newlines included) and keeps values out of the header', () => {
    const frame = stepFrame({
      id: 7, marker: MARK, script: 'echo é\nline two\n', shell: 'bash', env: { T: 'tok\nen', U: '' }, cwd: '~/x',
      host: 'web-1', killGraceMs: 5000, settleMs: 1000,
    });
    const nl = frame.indexOf('\n');
    const [kind, id, lines] = frame.subarray(0, nl).toString().split(' ');
    expect([kind, id]).toEqual(['R', '7']);
    const body = frame.subarray(nl + 1).toString();
    expect(body.endsWith('\n')).toBe(true);
    expect(body.split('\n').length - 1).toBe(Number(lines));
    expect(body).toContain("export T='tok\nen'");
    expect(body).toContain('sw_grace=100\n');
    expect(body).toContain(`sw_mark='${MARK}'\n`);
    expect(killFrame(7).toString()).toBe('K 7\n');
  });

  it('refuses what a remote shell cannot take', () => {
    expect(invalidEnvNames({ OK_1: '', 'BAD-NAME': '', '1X': '', _y: '' })).toEqual(['BAD-NAME', '1X']);
    expect(unsendable('echo\0', {})).toMatch(/NUL/);
    expect(unsendable('echo', { A: 'x\0y' })).toMatch(/A contains a NUL/);
    expect(unsendable('echo', { A: 'x' })).toBeUndefined();
  });

  it('reads the supervisor from the package and starts it with a command that holds no user data', () => {
    const upload = supervisorUpload();
    const nl = upload.indexOf('\n');
    expect(Number(upload.subarray(0, nl).toString())).toBe(upload.length - nl - 1);
    expect(upload.toString()).toContain('stepwise-supervisor 2 ready');
    // Nothing a csh or fish login shell would read differently inside the quotes.
    expect(SUPERVISOR_COMMAND.slice(SUPERVISOR_COMMAND.indexOf("'") + 1, -1)).not.toMatch(/['\\!]/);
  });

  it('the supervisor passes shellcheck (the npm test script runs it too)', () => {
    const file = new URL('../../src/targets/remote/supervisor.sh', import.meta.url).pathname;
    expect(() => execFileSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' })).not.toThrow();
  });
});

describe('parseOutputsFile (remote outputs use the local rules)', () => {
  it('splits on the first =, ignores blank and malformed lines, keeps __proto__ as data', () => {
    const outputs = parseOutputsFile('a=1\r\n\nb=x=y\nnoequals\n=novalue\nc=\n__proto__=p\na=2\n');
    expect(Object.entries(outputs)).toEqual([['a', '2'], ['b', 'x=y'], ['c', ''], ['__proto__', 'p']]);
    expect(Object.getPrototypeOf(outputs)).toBe(Object.prototype);
  });
});
