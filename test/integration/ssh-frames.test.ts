// Pure tests of the supervisor protocol's node side (no sshd needed); they live beside the SSH suites they protect.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { FrameReader, ProtocolError, type SupervisorEvent } from '../../src/targets/remote/frame-reader.js';
import { SlotPool } from '../../src/targets/remote/slot-pool.js';
import { invalidEnvNames, killFrame, shQuote, stepFrame, unsendable } from '../../src/targets/remote/step-frame.js';
import { SUPERVISOR_COMMAND, supervisorUpload } from '../../src/targets/remote/supervisor-script.js';
import { parseOutputsFile } from '../../src/targets/shell-command.js';

const READY = 'stepwise-supervisor 1 ready 4242\n';

function read(chunks: (string | Buffer)[]): { events: SupervisorEvent[]; reader: FrameReader } {
  const events: SupervisorEvent[] = [];
  const reader = new FrameReader((e) => events.push(e.type === 'output' ? { ...e, chunk: Buffer.from(e.chunk) } : e));
  for (const c of chunks) reader.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
  return { events, reader };
}

/** Output chunks joined per step and stream, so tests do not depend on how frames were cut. */
function outputOf(events: SupervisorEvent[], id: number, stream: 'stdout' | 'stderr'): Buffer {
  return Buffer.concat(events.flatMap((e) => (e.type === 'output' && e.id === id && e.stream === stream ? [e.chunk] : [])));
}

describe('FrameReader', () => {
  it('skips what the login shell printed before the ready line and keeps it for error messages', () => {
    const { events, reader } = read(['Welcome to host!\nlast login: never\n', READY]);
    expect(events).toEqual([{ type: 'ready', pid: 4242 }]);
    expect(reader.preamble).toBe('Welcome to host!\nlast login: never\n');
  });

  it('passes output on per step and stream, binary and all, and parses the end frame', () => {
    const bytes = Buffer.from([0, 1, 2, 10, 255, 0x0a, 0x78]);
    const frames = Buffer.concat([
      Buffer.from(`${READY}o 1 ${bytes.length}\n`), bytes,
      Buffer.from('e 2 4\nerr\no 1 3\nx 9x 2 0 0 0 0 0\nx 1 137 1 1 2 8\na=1\nb=2\n'),
    ]);
    // Fed whole, and cut at every position: the events must be the same.
    for (let cut = 0; cut <= frames.length; cut++) {
      const { events } = read([frames.subarray(0, cut), frames.subarray(cut)]);
      expect(outputOf(events, 1, 'stdout')).toEqual(Buffer.concat([bytes, Buffer.from('x 9')]));
      expect(outputOf(events, 2, 'stderr').toString()).toBe('err\n');
      const ends = events.filter((e) => e.type === 'end');
      expect(ends).toEqual([
        { type: 'end', id: 2, status: 0, killed: false, cut: false, leftovers: 0, outputs: Buffer.alloc(0) },
        { type: 'end', id: 1, status: 137, killed: true, cut: true, leftovers: 2, outputs: Buffer.from('a=1\nb=2\n') },
      ]);
    }
  });

  it('carries a start error before the end frame', () => {
    const text = 'working directory /nope does not exist on web-1';
    const { events } = read([READY, `w 3 ${Buffer.byteLength(text)}\n${text}x 3 126 0 0 0 0\n`]);
    expect(events.slice(1)).toEqual([
      { type: 'start-error', id: 3, text },
      { type: 'end', id: 3, status: 126, killed: false, cut: false, leftovers: 0, outputs: Buffer.alloc(0) },
    ]);
  });

  it('refuses garbled headers instead of guessing', () => {
    for (const bad of ['q 1 2\n', 'o 1\n', 'o x 2\n', 'o 1 -2\n', 'x 1 0 0 0 0\n', `x 1 0 0 0 0 ${2 * 1024 * 1024}\n`, `o ${'1'.repeat(200)}\n`]) {
      expect(() => read([READY, bad])).toThrow(ProtocolError);
    }
  });

  it('gives up on a login that never starts the supervisor', () => {
    expect(() => read(['y\n'.repeat(600 * 1024)])).toThrow(/without starting the supervisor/);
  });
});

describe('step frames', () => {
  it('single-quotes any value so sh reads it back verbatim', () => {
    expect(shQuote(`a'b`)).toBe(`'a'\\''b'`);
  });

  it('counts the lines of the body exactly (values with newlines included) and keeps values out of the header', () => {
    const frame = stepFrame({
      id: 7, slot: 2, script: 'echo é\nline two\n', shell: 'bash', env: { T: 'tok\nen', U: '' }, cwd: '~/x',
      host: 'web-1', killGraceMs: 5000, settleMs: 1000, drainMs: 1000,
    });
    const nl = frame.indexOf('\n');
    const [kind, id, slot, lines] = frame.subarray(0, nl).toString().split(' ');
    expect([kind, id, slot]).toEqual(['R', '7', '2']);
    const body = frame.subarray(nl + 1).toString();
    expect(body.endsWith('\n')).toBe(true);
    expect(body.split('\n').length - 1).toBe(Number(lines));
    expect(body).toContain("export T='tok\nen'");
    expect(body).toContain('sw_grace=100\n');
    expect(killFrame(7, 2).toString()).toBe('K 7 2\n');
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
    expect(upload.toString()).toContain('stepwise-supervisor 1 ready');
    // Nothing a csh or fish login shell would read differently inside the quotes.
    expect(SUPERVISOR_COMMAND.slice(SUPERVISOR_COMMAND.indexOf("'") + 1, -1)).not.toMatch(/['\\!]/);
  });

  it('the supervisor passes shellcheck (the npm test script runs it too)', () => {
    const file = new URL('../../src/targets/remote/supervisor.sh', import.meta.url).pathname;
    expect(() => execFileSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' })).not.toThrow();
  });
});

describe('SlotPool', () => {
  it('hands out the lowest free slot and never a retired one', () => {
    const pool = new SlotPool();
    expect([pool.take(), pool.take(), pool.take()]).toEqual([0, 1, 2]);
    pool.free(1);
    pool.retire(0);
    expect(pool.take()).toBe(1);
    expect(pool.take()).toBe(3);
    pool.free(2);
    expect(pool.take()).toBe(2);
  });
});

describe('parseOutputsFile (remote outputs use the local rules)', () => {
  it('splits on the first =, ignores blank and malformed lines, keeps __proto__ as data', () => {
    const outputs = parseOutputsFile('a=1\r\n\nb=x=y\nnoequals\n=novalue\nc=\n__proto__=p\na=2\n');
    expect(Object.entries(outputs)).toEqual([['a', '2'], ['b', 'x=y'], ['c', ''], ['__proto__', 'p']]);
    expect(Object.getPrototypeOf(outputs)).toBe(Object.prototype);
  });
});
