import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StepLogs, formatOutputLines } from '../../../src/journal/step-logs.js';
import { StepwiseError } from '../../../src/errors/stepwise-error.js';
import { cleanTempDirs, tempDir } from '../../helpers/temp-dir.js';
import { output } from '../../helpers/engine-events.js';

afterAll(cleanTempDirs);

describe('StepLogs', () => {
  it('tags lines by stream and host, one file per step and phase', () => {
    expect(formatOutputLines({ stream: 'stdout', lines: ['a', ''] })).toBe('O a\nO \n');
    expect(formatOutputLines({ stream: 'stderr', host: 'db-1', lines: ['x'] })).toBe('E [db-1] x\n');
    const dir = tempDir().dir;
    const logs = new StepLogs(dir);
    logs.output(output('s', ['1']));
    logs.output(output('s', ['r'], { phase: 'rollback' }));
    logs.output(output('f', ['fin'], { phase: 'finally' }));
    expect(logs.openCount).toBe(3);
    logs.close('s', 'run');
    expect(logs.openCount).toBe(2);
    logs.closeAll();
    expect(logs.openCount).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['f.log', 's.log', 's.rollback.log']);
  });

  it('writes output as it arrives (nothing held back until close)', () => {
    const dir = tempDir().dir;
    const logs = new StepLogs(dir);
    logs.output(output('s', ['early']));
    expect(readFileSync(join(dir, 's.log'), 'utf8')).toBe('O early\n');
    logs.closeAll();
  });

  it('makes odd step ids safe as file names', () => {
    const dir = tempDir().dir;
    const logs = new StepLogs(dir);
    logs.note('../x/y', 'run', 'hi');
    logs.closeAll();
    expect(readdirSync(dir)).toEqual(['___x_y.log']);
  });

  it('raises one StepwiseError when a log cannot be written, then drops that log quietly', () => {
    const dir = tempDir().path('logs');
    mkdirSync(dir);
    const logs = new StepLogs(dir);
    rmSync(dir, { recursive: true });
    expect(() => logs.output(output('s', ['x']))).toThrow(StepwiseError);
    expect(() => logs.output(output('s', ['y']))).not.toThrow();
  });
});
