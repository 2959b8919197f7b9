/**
 * One suite, both backends (ARCHITECTURE §14): what the engine and the CLI need from state —
 * recording a run, reading it back, logs, run ids, history, locks, blockAfterFailure and
 * acknowledgements — behaves the same in a state dir and in PostgreSQL. A second store is a
 * second process (or machine): it has its own connection, so locks are really contended.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { UsageError } from '../../src/errors/stepwise-error.js';
import { LockBusyError } from '../../src/journal/lock-errors.js';
import { connect } from '../../src/journal/postgres/pg-connect.js';
import { writeRunLogs, type NewRun, type StateStore } from '../../src/journal/index.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { output, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted } from '../helpers/engine-events.js';
import { backendNames, cleanBackends, freshBackend } from '../helpers/state-backends.js';

afterAll(cleanBackends);

let ids = 0;
/** A new run id, in time order. */
function runId(): string {
  const stamp = new Date(Date.UTC(2026, 10, 27, 10, 0, 0, ++ids)).toISOString().replace(/[-:]/g, '');
  return `${stamp}-${(1000 + ids).toString(16)}`;
}

function newRun(id: string, over: Partial<NewRun['meta']> = {}): NewRun {
  return {
    runId: id,
    meta: { runbook: 'orders', file: '/rb/orders.yaml', cwd: '/work', lock: 'orders', options: { noRollback: false, secretParams: ['token'] }, ...over },
    runbook: { fileName: 'orders.yaml', text: 'name: orders\nsteps: []\n' },
    assets: [{ relativePath: 'steps/local-step.yaml', text: 'name: local-step\nrun: "true"\n' }],
    maskedParams: { version: 'v2', token: '***' },
  };
}

async function record(store: StateStore, run: NewRun, events: EngineEvent[]): Promise<void> {
  const recorder = await store.createRun(run);
  for (const event of events) {
    recorder.record({ ...event, runId: run.runId });
    if (event.type === 'step.started') await recorder.checkpoint();
  }
  await recorder.close();
}

async function text(write: (out: PassThrough) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks).toString('utf8');
}

const failed = (): EngineEvent[] => [
  runStarted(['a', 'b']),
  stepStarted('a'), output('a', ['a says hi']), stepFinished('a', { outputs: { file: '/b/1.dump' } }),
  stepStarted('b'), output('b', ['b fails'], { stream: 'stderr' }), stepFinished('b', { status: 'failed', exitCode: 3 }),
  rollbackStarted('a'), output('a', ['undoing a'], { phase: 'rollback' }), rollbackFinished('a'),
  stepStarted('bye', { phase: 'finally' }), output('bye', ['ciao'], { phase: 'finally' }), stepFinished('bye', { phase: 'finally' }),
  runFinished({ status: 'rolledBack', exitCode: 1 }),
];

describe.each(backendNames())('state store: %s', (name) => {
  it('records a run and reads back the same events, params (masked), meta, runbook and library copies', async () => {
    const backend = await freshBackend(name);
    const store = await backend.open();
    const id = runId();
    const events = failed().map((e) => ({ ...e, runId: id }));
    await record(store, newRun(id), events);
    const run = await store.loadRun(id);
    // Output goes to the logs, everything else to the journal, in order.
    expect(run.journal.events).toEqual(events.filter((e) => e.type !== 'step.output'));
    expect(run.journal.lost).toEqual([]);
    expect(run.params).toEqual({ version: 'v2', token: '***' });
    expect(run.state).toBe('rolledBack');
    expect(run.meta).toMatchObject({ runbook: 'orders', lock: 'orders', cwd: '/work', options: { secretParams: ['token'] } });
    expect(run.meta?.sessions).toEqual([expect.objectContaining({ pid: process.pid, mode: 'run', resumed: false })]);
    expect(run.summary.steps.map((s) => [s.stepId, s.status])).toEqual([['a', 'succeeded'], ['b', 'failed'], ['bye', 'succeeded']]);
    expect(run.prior.steps.find((s) => s.stepId === 'a')).toMatchObject({ outputs: { file: '/b/1.dump' }, rolledBack: true });
    const checkout = await store.checkoutRunbook(run);
    expect(checkout?.text).toBe('name: orders\nsteps: []\n');
    expect(checkout?.file).toMatch(/orders\.yaml$/);
    const { readFileSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    expect(readFileSync(join(dirname(checkout?.file ?? ''), 'steps', 'local-step.yaml'), 'utf8')).toContain('local-step');
    checkout?.dispose();
    await store.close();
  });

  it('continues a run: a second session appends, the sequence goes on, nothing read back is lost', async () => {
    const backend = await freshBackend(name);
    const store = await backend.open();
    const id = runId();
    await record(store, newRun(id), [runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b')]);
    // The runner died in b: it is crashed (nobody holds its lock), b was started.
    expect((await store.loadRun(id)).state).toBe('crashed');
    const again = await backend.open();
    const recorder = await again.continueRun(id);
    for (const e of [runStarted(['a', 'b'], { resumed: true }), stepStarted('b'), output('b', ['again']), stepFinished('b'), runFinished()]) recorder.record({ ...e, runId: id });
    await recorder.close();
    const run = await store.loadRun(id);
    expect(run.journal.events.map((e) => e.type)).toEqual(['run.started', 'step.started', 'step.finished', 'step.started', 'run.started', 'step.started', 'step.finished', 'run.finished']);
    expect(run.journal.lost).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.meta?.sessions.map((s) => s.resumed)).toEqual([false, true]);
    await again.close();
    await store.close();
  });

  it('finds runs by id, unambiguous prefix and last; refuses unknown, ambiguous and hostile ids (exit 2)', async () => {
    const backend = await freshBackend(name);
    const store = await backend.open();
    const [first, second] = [runId(), runId()];
    await record(store, newRun(first), [runStarted([]), runFinished()]);
    await record(store, newRun(second), [runStarted([]), runFinished()]);
    expect(await store.resolveRunId(second)).toBe(second);
    expect(await store.resolveRunId('last')).toBe(second);
    expect(await store.resolveRunId(first.slice(0, -1))).toBe(first);
    await expect(store.resolveRunId('20261127T')).rejects.toThrow(/ambiguous/);
    await expect(store.resolveRunId('20990101T000000.000Z-dead')).rejects.toThrow(UsageError);
    await expect(store.resolveRunId('20990101T000000.000Z-dead')).rejects.toThrow(store.location);
    for (const hostile of ['../etc', '%', '_', "x'; DROP TABLE stepwise_runs; --"]) await expect(store.resolveRunId(hostile)).rejects.toThrow(UsageError);
    expect((await store.listRuns()).map((e) => e.runId)).toEqual([second, first]);
    await store.close();
  });

  it('lists history newest first with filters, statuses and exit codes', async () => {
    const backend = await freshBackend(name);
    const store = await backend.open();
    const ids3 = [runId(), runId(), runId()];
    await record(store, newRun(ids3[0] as string), failed());
    await record(store, newRun(ids3[1] as string, { runbook: 'other' }), [runStarted([], { runbook: 'other' }), runFinished()]);
    await record(store, newRun(ids3[2] as string), [runStarted(['a']), stepStarted('a')]);
    const all = await store.listRuns();
    expect(all.map((e) => [e.runId, e.runbook, e.status, e.exitCode])).toEqual([
      [ids3[2], 'orders', 'crashed', undefined],
      [ids3[1], 'other', 'succeeded', 0],
      [ids3[0], 'orders', 'rolledBack', 1],
    ]);
    expect((await store.listRuns({ runbook: 'orders', limit: 1 })).map((e) => e.runId)).toEqual([ids3[2]]);
    expect((await store.listRuns({ states: new Set(['succeeded']) })).map((e) => e.runId)).toEqual([ids3[1]]);
    await store.close();
  });

  it('keeps logs per step and phase, in the order things ran, streamed whole or as head and tail', async () => {
    const backend = await freshBackend(name);
    const store = await backend.open();
    const id = runId();
    await record(store, newRun(id), failed());
    const run = await store.loadRun(id);
    expect((await store.logsOf(run)).map((l) => `${l.stepId}:${l.phase}`)).toEqual(['a:run', 'a:rollback', 'b:run', 'bye:run']);
    const all = await text((out) => writeRunLogs(store, run, out));
    expect(all).toMatch(/^==> a <==\n# .*\nO a says hi\n# .*\n\n==> a \(rollback\) <==\n# .*\nO undoing a\n/);
    expect(all).toContain('E b fails');
    await expect(store.logsOf(run, 'nope')).rejects.toThrow(/steps: a, b, bye/);
    const [log] = await store.logsOf(run, 'b');
    const bytes = await store.readLogBytes(run, log as NonNullable<typeof log>, 0, 10);
    expect(bytes.head.length + bytes.tail.length).toBe(10);
    expect(bytes.totalBytes).toBeGreaterThan(10);
    expect((bytes.tail.length ? bytes.tail : bytes.head).toString()).toMatch(/\n$/);
    await store.close();
  });

  it('locks: one holder at a time across processes, named to the loser (exit 75), waited for with waitMs', async () => {
    const backend = await freshBackend(name);
    const a = await backend.open();
    const b = await backend.open();
    const held = await a.acquireLock('orders', { runId: '20261127T100000.000Z-aaaa' });
    const busy = await b.acquireLock('orders', { runId: '20261127T100000.000Z-bbbb' }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(LockBusyError);
    expect((busy as LockBusyError).message).toContain('run 20261127T100000.000Z-aaaa');
    expect((busy as LockBusyError).holder?.pid).toBe(process.pid);
    const waiting = b.acquireLock('orders', { runId: '20261127T100000.000Z-bbbb', waitMs: 60_000, pollMs: 20 });
    await held.release();
    const second = await waiting;
    expect(second.holder.runId).toBe('20261127T100000.000Z-bbbb');
    await second.release();
    // A lock name of any length works: it is hashed, never refused.
    const long = await a.acquireLock('x'.repeat(5000), { runId: '20261127T100000.000Z-cccc' });
    await expect(b.acquireLock('x'.repeat(5000), { runId: '20261127T100000.000Z-dddd' })).rejects.toBeInstanceOf(LockBusyError);
    await expect(b.acquireLock('x'.repeat(4999), { runId: '20261127T100000.000Z-dddd' }).then((l) => l.release())).resolves.toBeUndefined();
    await long.release();
    await a.close();
    await b.close();
  });

  it('a run is running while its holder lives, and crashed once it is gone', async () => {
    const backend = await freshBackend(name);
    const runner = await backend.open();
    const reader = await backend.open({ writable: false });
    const id = runId();
    const lock = await runner.acquireLock('orders', { runId: id });
    const recorder = await runner.createRun(newRun(id));
    recorder.record({ ...runStarted(['a']), runId: id });
    await recorder.checkpoint();
    expect((await reader.loadRun(id)).state).toBe('running');
    expect((await reader.listRuns())[0]?.status).toBe('running');
    await recorder.close();
    await lock.release();
    expect((await reader.loadRun(id)).state).toBe('crashed');
    await runner.close();
    await reader.close();
  });

  it('blockAfterFailure: the newest failed run of a lock blocks until acknowledged or finished by resume', async () => {
    const backend = await freshBackend(name);
    const store = await backend.open();
    const id = runId();
    await record(store, newRun(id, { blockAfterFailure: true }), failed());
    expect(await store.blockingRun('orders')).toMatchObject({ runId: id, state: 'rolledBack', stepId: 'b' });
    expect(await store.blockingRun('elsewhere')).toBeUndefined();
    await store.acknowledge(id, { by: 'ops', host: 'laptop', note: 'table restored by hand' });
    expect(await store.blockingRun('orders')).toBeUndefined();
    const run = await store.loadRun(id);
    expect(run.journal.acks).toEqual([expect.objectContaining({ by: 'ops', host: 'laptop', note: 'table restored by hand', runId: id })]);
    // A later run that fails blocks again; one that succeeds does not; a run without the key never does.
    const next = runId();
    await record(store, newRun(next, { blockAfterFailure: true }), [runStarted(['a']), stepStarted('a')]);
    expect(await store.blockingRun('orders')).toMatchObject({ runId: next, state: 'crashed', stepId: 'a' });
    const recorder = await store.continueRun(next);
    for (const e of [runStarted(['a'], { resumed: true }), stepStarted('a'), stepFinished('a'), runFinished()]) recorder.record({ ...e, runId: next });
    await recorder.close();
    expect(await store.blockingRun('orders')).toBeUndefined();
    await record(store, newRun(runId()), failed());
    expect(await store.blockingRun('orders')).toBeUndefined();
    await store.close();
  });
});

describe('PostgreSQL connection', () => {
  const it_ = backendNames().includes('PostgreSQL') ? it : it.skip;

  it_('commits are durable even where the server says synchronous_commit=off (the test cluster does)', async () => {
    const backend = await freshBackend('PostgreSQL');
    const { cluster, url } = backend.pg as NonNullable<typeof backend.pg>;
    expect(cluster.psql('SHOW synchronous_commit')).toBe('off');
    const { client } = await connect(url);
    try {
      expect((await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit).toBe('on');
    } finally {
      await client.end();
    }
  });
});
