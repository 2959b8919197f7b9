/**
 * What `resume`, `rollback`, `show`, `report` and `history` do with state that lies or is
 * gone (issue 13): a journal missing, unreadable, changed in the middle, with a record
 * removed, or torn at its end; a finished run; a state dir that cannot be used. Resume and
 * rollback refuse (exit 2, the run and the line named, nothing executed) where a guess would
 * re-run or skip work; readers show what they can, marked.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

/** A run that fails at `b` after `a` succeeded: resumable; counts how often each step ran. */
function failedRun(dir: string): string {
  return `name: integrity
steps:
  - id: a
    run: echo ran >> ${dir}/a.count
    rollback: echo undo >> ${dir}/undo-a.count
  - id: b
    run: |
      echo ran >> ${dir}/b.count
      test -e ${dir}/fixed
`;
}

const count = (dir: string, name: string) => (existsSync(join(dir, `${name}.count`)) ? readFileSync(join(dir, `${name}.count`), 'utf8').split('\n').filter(Boolean).length : 0);

/** Runs the failing runbook with --no-rollback (so it can be resumed); returns the run id and its journal path. */
async function haltedRun(): Promise<{ ws: ReturnType<typeof workspace>; id: string; journal: string }> {
  const ws = workspace();
  const file = ws.write('integrity.yaml', failedRun(ws.dir));
  const run = await runCli(['run', file, '--no-rollback', '--state-dir', ws.stateDir]);
  expect(run.code).toBe(1);
  const id = readdirSync(join(ws.stateDir, 'runs'))[0] as string;
  return { ws, id, journal: join(ws.stateDir, 'runs', id, 'journal.jsonl') };
}

function journalLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

async function expectRefused(ws: ReturnType<typeof workspace>, id: string, pattern: RegExp): Promise<void> {
  for (const command of ['resume', 'rollback']) {
    const result = await runCli([command, id, '--yes', '--state-dir', ws.stateDir]);
    expect({ command, code: result.code }).toEqual({ command, code: 2 });
    expect(result.stderr).toContain(`run ${id} cannot be`);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  }
  // Nothing ran again, nothing was compensated.
  expect([count(ws.dir, 'a'), count(ws.dir, 'b'), count(ws.dir, 'undo-a')]).toEqual([1, 1, 0]);
}

describe('resume and rollback refuse a journal they cannot trust', () => {
  it('a missing journal', async () => {
    const { ws, id, journal } = await haltedRun();
    rmSync(journal);
    await expectRefused(ws, id, /journal is missing/);
  });

  it('an unreadable journal (a directory where the file should be)', async () => {
    const { ws, id, journal } = await haltedRun();
    rmSync(journal);
    mkdirSync(journal);
    await expectRefused(ws, id, /journal cannot be read \(.*EISDIR/);
    const show = await runCli(['show', id, '--state-dir', ws.stateDir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Journal unreadable: .*EISDIR/);
  });

  it('a line changed in the middle (checksum), naming the line', async () => {
    const { ws, id, journal } = await haltedRun();
    const lines = journalLines(journal);
    const at = lines.findIndex((l) => l.includes('"type":"step.finished"') && l.includes('"stepId":"a"'));
    expect(at).toBeGreaterThan(0);
    lines[at] = (lines[at] as string).replace('"status":"succeeded"', '"status":"failed"');
    writeFileSync(journal, `${lines.join('\n')}\n`);
    await expectRefused(ws, id, new RegExp(`line ${at + 1} .*corrupt: checksum mismatch`));
    // show still shows the rest, and says what it could not read.
    const show = await runCli(['show', id, '--state-dir', ws.stateDir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Journal damaged: 1 record(s)');
    expect(show.stdout).toContain(`line ${at + 1}`);
    const report = await runCli(['report', id, '-o', '-', '--state-dir', ws.stateDir]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('The journal is damaged');
  });

  it('a record removed from the middle (sequence gap), every remaining line whole', async () => {
    const { ws, id, journal } = await haltedRun();
    const lines = journalLines(journal);
    const at = lines.findIndex((l) => l.includes('"type":"step.finished"') && l.includes('"stepId":"a"'));
    lines.splice(at, 1);
    writeFileSync(journal, `${lines.join('\n')}\n`);
    await expectRefused(ws, id, new RegExp(`before line ${at + 1}: record ${at + 1} is missing`));
  });

  it('tolerates a torn last line: resume goes on from what is whole', async () => {
    const { ws, id, journal } = await haltedRun();
    // The runner died while writing its last record.
    const text = readFileSync(journal, 'utf8');
    truncateSync(journal, Buffer.byteLength(text) - 12);
    writeFileSync(join(ws.dir, 'fixed'), '');
    const resumed = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(resumed.code).toBe(0);
    expect([count(ws.dir, 'a'), count(ws.dir, 'b')]).toEqual([1, 2]);
    // A second resume after it: the torn line is explained, not damage; the run is finished.
    const again = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already succeeded: it is finished/);
  });

  it('reads and resumes a journal written before sequence numbers existed', async () => {
    const { ws, id, journal } = await haltedRun();
    // The same records as an older stepwise wrote them: no seq, no crc.
    const legacy = journalLines(journal).map((line) => {
      const { seq: _seq, crc: _crc, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    writeFileSync(journal, `${legacy.join('\n')}\n`);
    expect((await runCli(['show', id, '--state-dir', ws.stateDir])).stdout).not.toContain('Journal damaged');
    writeFileSync(join(ws.dir, 'fixed'), '');
    const resumed = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(resumed.code).toBe(0);
    expect([count(ws.dir, 'a'), count(ws.dir, 'b')]).toEqual([1, 2]);
  });
});

describe('finished runs', () => {
  it('resume of a succeeded run and of a rolled-back run is exit 2, saying so', async () => {
    const ws = workspace();
    writeFileSync(join(ws.dir, 'fixed'), '');
    const ok = await runCli(['run', ws.write('ok.yaml', failedRun(ws.dir)), '--state-dir', ws.stateDir]);
    expect(ok.code).toBe(0);
    const okId = readdirSync(join(ws.stateDir, 'runs'))[0] as string;
    rmSync(join(ws.dir, 'fixed'));
    const failed = await runCli(['run', join(ws.dir, 'ok.yaml'), '--state-dir', ws.stateDir]);
    expect(failed.code).toBe(1);
    const rolledId = readdirSync(join(ws.stateDir, 'runs')).sort()[1] as string;
    const resumeOk = await runCli(['resume', okId, '--state-dir', ws.stateDir]);
    expect(resumeOk.code).toBe(2);
    expect(resumeOk.stderr).toContain(`run ${okId} already succeeded`);
    const resumeRolled = await runCli(['resume', rolledId, '--state-dir', ws.stateDir]);
    expect(resumeRolled.code).toBe(2);
    expect(resumeRolled.stderr).toContain(`run ${rolledId} was rolled back`);
    expect(count(ws.dir, 'a')).toBe(2);
  });
});

describe('a state dir that cannot be used', () => {
  it('a file where the state dir should be: every command exits 2 naming the path and the error', async () => {
    const ws = workspace();
    writeFileSync(ws.stateDir, 'not a directory');
    const file = ws.write('integrity.yaml', failedRun(ws.dir));
    for (const args of [['run', file], ['history'], ['show', 'last'], ['logs', 'last'], ['report', 'last', '-o', '-'], ['resume', '20990101T000000.000Z-dead'], ['rollback', '20990101T000000.000Z-dead']]) {
      const result = await runCli([...args, '--state-dir', ws.stateDir]);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(ws.stateDir);
      expect(result.stderr).toMatch(/ENOTDIR|EEXIST|not a directory/);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect(count(ws.dir, 'a')).toBe(0);
  });

  it('a file where runs/ should be', async () => {
    const ws = workspace();
    mkdirSync(ws.stateDir);
    writeFileSync(join(ws.stateDir, 'runs'), '');
    for (const args of [['history'], ['show', 'last'], ['run', ws.write('integrity.yaml', failedRun(ws.dir))]]) {
      const result = await runCli([...args, '--state-dir', ws.stateDir]);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(join(ws.stateDir, 'runs'));
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
