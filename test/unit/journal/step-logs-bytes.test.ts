/**
 * Step logs take output as bytes (the engine's events) exactly as they take lines: the same
 * tags and host, byte for byte, UTF-8 and carriage returns left as they are.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepOutputEvent } from '../../../src/engine/events.js';
import { outputEvent } from '../../../src/engine/output-bytes.js';
import { StepLogs } from '../../../src/journal/step-logs.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TEXTS = ['a\n\nb\n', 'é 日本 😀\n', 'cr\r inside\n', '  \t x\n', '\u001b[31mred\n'];

function writeAll(asBytes: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-logs-bytes-'));
  dirs.push(dir);
  const logs = new StepLogs(dir);
  for (const [i, text] of TEXTS.entries()) {
    const fields = { type: 'step.output' as const, stepId: 's', phase: 'run' as const, stream: i % 2 ? ('stderr' as const) : ('stdout' as const), ...(i > 2 ? { host: 'db-ü' } : {}) };
    const at = { time: 'T', runId: 'r1' };
    const event = asBytes ? Object.assign(outputEvent(fields, Buffer.from(text)), at) : { ...fields, ...at, lines: text.slice(0, -1).split('\n') };
    logs.output(event as StepOutputEvent);
  }
  logs.closeAll();
  return readFileSync(join(dir, 's.log'), 'utf8');
}

describe('StepLogs with output bytes', () => {
  it('writes the same file as for lines', () => {
    const fromBytes = writeAll(true);
    expect(fromBytes).toBe(writeAll(false));
    expect(fromBytes).toBe('O a\nO \nO b\nE é 日本 😀\nO cr\r inside\nE [db-ü]   \t x\nO [db-ü] \u001b[31mred\n');
  });
});
