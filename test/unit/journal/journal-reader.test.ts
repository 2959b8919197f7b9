import { afterAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { describeLost, journalDamage, parseJournal, readJournal } from '../../../src/journal/journal-reader.js';
import { encodeLine } from '../../../src/journal/journal-line.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { cleanTempDirs, tempDir } from '../../helpers/temp-dir.js';
import { stepFinished, stepStarted, successfulRun } from '../../helpers/engine-events.js';

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
    expect(readJournal(tempDir().path('journal.jsonl'))).toEqual({ events: [], lost: [], exists: false, acks: [] });
  });
  it('reads a file', () => {
    const path = tempDir().path('journal.jsonl');
    writeFileSync(path, jsonl([stepStarted('x')]));
    expect(readJournal(path).events).toHaveLength(1);
  });
});

describe('journal integrity (sequence numbers and checksums)', () => {
  const lines = (events: object[], from = 1): string => events.map((e, i) => encodeLine(from + i, e)).join('');
  const damage = (text: string) => journalDamage(parseJournal(text));

  it('reads records written with sequence numbers and checksums exactly as written', () => {
    const events = successfulRun(['a', 'b']);
    const parsed = parseJournal(lines(events));
    expect(parsed.events).toEqual(events);
    expect(parsed.lost).toEqual([]);
  });

  it('finds a line whose bytes changed after it was written (checksum), and calls it damage', () => {
    const text = lines([stepStarted('a'), stepFinished('a', { exitCode: 0 }), stepStarted('b')]);
    // Flip one digit inside the second record: still valid JSON, but not what was written.
    const altered = text.replace('"exitCode":0', '"exitCode":1');
    expect(altered).not.toBe(text);
    const parsed = parseJournal(altered);
    expect(parsed.events.map((e) => e.type)).toEqual(['step.started', 'step.started']);
    expect(parsed.lost).toEqual([expect.objectContaining({ line: 2, reason: 'corrupt', detail: expect.stringContaining('checksum') })]);
    expect(damage(altered)).toHaveLength(1);
  });

  it('finds a record removed from the middle (a sequence gap) even when every line left is whole', () => {
    const all = lines([stepStarted('a'), stepFinished('a'), stepStarted('b'), stepFinished('b')]).split('\n');
    const text = [all[0], all[2], all[3], ''].join('\n');
    const parsed = parseJournal(text);
    expect(parsed.lost).toEqual([{ line: 2, reason: 'missing', bytes: 0, detail: 'record 2 is missing (the sequence goes from 1 to 3)' }]);
    expect(describeLost(parsed.lost)).toEqual(['before line 2: record 2 is missing (the sequence goes from 1 to 3)']);
    expect(damage(text)).toHaveLength(1);
  });

  it('finds duplicated records', () => {
    const first = lines([stepStarted('a')]);
    expect(damage(first + first)).toEqual([expect.objectContaining({ reason: 'missing', detail: expect.stringContaining('duplicated') })]);
  });

  it('tolerates a torn last line: lost, but not damage', () => {
    const whole = lines([stepStarted('a')]);
    const torn = lines([stepFinished('a')], 2).slice(0, 30);
    const parsed = parseJournal(whole + torn);
    expect(parsed.lost).toEqual([expect.objectContaining({ line: 2, reason: 'torn' })]);
    expect(journalDamage(parsed)).toEqual([]);
  });

  it('tolerates a torn line that a later session explained; junk in its place is damage', () => {
    const torn = lines([stepFinished('a')], 2).slice(0, 30);
    const marker = (bytes: number) => lines([{ type: 'journal.torn', time: 't', runId: 'r', bytes }], 2);
    const after = lines([stepStarted('b')], 3);
    const explained = `${lines([stepStarted('a')])}${torn}\n${marker(30)}${after}`;
    expect(parseJournal(explained).lost).toEqual([expect.objectContaining({ line: 2, reason: 'torn' })]);
    expect(damage(explained)).toEqual([]);
    // The marker names another length: the line is not the one it explains.
    expect(damage(`${lines([stepStarted('a')])}${torn}\n${marker(29)}${after}`)).toEqual([expect.objectContaining({ line: 2, reason: 'corrupt' })]);
  });

  it('calls a corrupt line before the last damage, with or without sequence numbers', () => {
    expect(damage(`${lines([stepStarted('a')])}garbage\n${lines([stepStarted('b')], 2)}`)).toEqual([expect.objectContaining({ line: 2, reason: 'corrupt' })]);
    expect(damage(`${jsonl([stepStarted('a')])}garbage\n${jsonl([stepStarted('b')])}`)).toEqual([expect.objectContaining({ line: 2, reason: 'corrupt' })]);
  });

  it('reads a journal written before sequence numbers, and one resumed by this version after it', () => {
    const legacy = jsonl(successfulRun(['a']));
    expect(parseJournal(legacy).events).toHaveLength(successfulRun(['a']).length);
    expect(damage(legacy)).toEqual([]);
    const mixed = legacy + lines([stepStarted('b'), stepFinished('b')]);
    expect(parseJournal(mixed).events.map((e) => e.type).slice(-2)).toEqual(['step.started', 'step.finished']);
    expect(damage(mixed)).toEqual([]);
  });

  it('never throws on hostile lines, and never takes one for a record (seeded)', () => {
    const random = seededRandom(1315);
    const good = lines(successfulRun(['a', 'b']));
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(good);
      // Damage 1–4 bytes anywhere but in a newline, as a disk or a careless edit would.
      for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
        const at = Math.floor(random() * bytes.length);
        if (bytes[at] === 0x0a) continue;
        bytes[at] = 0x20 + Math.floor(random() * 0x5e);
      }
      const text = bytes.toString('utf8');
      const parsed = parseJournal(text);
      const changed = text.split('\n').filter((line, k) => line !== good.split('\n')[k]).length;
      // Every changed line is lost (a changed byte fails the checksum), and every loss is damage.
      expect(parsed.lost.filter((l) => l.reason === 'corrupt')).toHaveLength(changed);
      expect(parsed.events.length).toBe(successfulRun(['a', 'b']).length - changed);
    }
  });
});
