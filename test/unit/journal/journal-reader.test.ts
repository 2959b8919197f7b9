import { afterAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describeLost, parseJournal, readJournal } from '../../../src/journal/journal-reader.js';
import { cleanTempDirs, tempDir } from './fixtures/temp-dir.js';
import { stepFinished, stepStarted, successfulRun } from './fixtures/events.js';

afterAll(cleanTempDirs);

const jsonl = (values: unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join('');

describe('parseJournal', () => {
  it('reads every well-formed event in order', () => {
    const events = successfulRun(['a', 'b']);
    const parsed = parseJournal(jsonl(events));
    expect(parsed.events).toEqual(events);
    expect(parsed.lost).toEqual([]);
  });

  it('tolerates a torn last line and says which line was lost', () => {
    const good = jsonl([stepStarted('a')]);
    const torn = JSON.stringify(stepFinished('a')).slice(0, 40);
    const parsed = parseJournal(good + torn);
    expect(parsed.events.map((e) => e.type)).toEqual(['step.started']);
    expect(parsed.lost).toEqual([{ line: 2, reason: 'torn', bytes: 40, detail: expect.stringContaining('crash') }]);
  });

  it('keeps a complete last record that only lacks its newline', () => {
    const parsed = parseJournal(jsonl([stepStarted('a')]) + JSON.stringify(stepFinished('a')));
    expect(parsed.events).toHaveLength(2);
    expect(parsed.lost).toEqual([]);
  });

  it('reports corrupt lines in the middle by number and keeps the rest', () => {
    const text = `${jsonl([stepStarted('a')])}garbage\n{"type":"step.finished","time":"t"}\n[1,2]\n${jsonl([stepFinished('a')])}`;
    const parsed = parseJournal(text);
    expect(parsed.events.map((e) => e.type)).toEqual(['step.started', 'step.finished']);
    expect(parsed.lost.map((l) => [l.line, l.reason, l.detail])).toEqual([
      [2, 'corrupt', 'not valid JSON'],
      [3, 'corrupt', 'step.finished without stepId, status'],
      [4, 'corrupt', 'not an event (no type or time)'],
    ]);
    expect(describeLost(parsed.lost)[0]).toBe('line 2 (7 bytes) corrupt: not valid JSON');
  });

  it('skips events of types it does not know (a newer writer) without calling them lost', () => {
    const parsed = parseJournal(jsonl([{ type: 'run.future', time: 't' }, { type: 'constructor', time: 't' }, stepStarted('a')]));
    expect(parsed.events).toHaveLength(1);
    expect(parsed.lost).toEqual([]);
  });
});

describe('readJournal', () => {
  it('reads a missing journal as empty and says it does not exist', () => {
    expect(readJournal(join(tempDir(), 'journal.jsonl'))).toEqual({ events: [], lost: [], exists: false });
  });
  it('reads a file', () => {
    const path = join(tempDir(), 'journal.jsonl');
    writeFileSync(path, jsonl([stepStarted('x')]));
    expect(readJournal(path).events).toHaveLength(1);
  });
});
