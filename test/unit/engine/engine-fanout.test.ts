/** Fan-out (SPEC §2, §3.3): `serial` numbers and percentages, `forks` as a pool, `maxFailures` / `maxFailPercentage`. */
import { describe, expect, it } from '@jest/globals';
import { runEngine, type EngineOptions } from '../../../src/engine/engine.js';
import { toleratedHostFailures } from '../../../src/engine/failure-policy.js';
import { priorRunState } from '../../../src/journal/prior-state.js';
import { batchSizeOf, toBatches } from '../../../src/engine/run-step.js';
import type { Executor } from '../../../src/targets/executor.js';
import type { Host, Runbook, Step } from '../../../src/runbook/model.js';
import { FakeExecutor, type FakeBehaviour } from '../../helpers/fake-executor.js';
import { GatedExecutor } from '../../helpers/gated-executor.js';
import { command, runbook, step } from '../../helpers/model.js';
import { RecordingSink } from '../../helpers/recording-reporter.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const names = (count: number) => Array.from({ length: count }, (_, i) => `web-${i + 1}`);

function fleet(count: number, steps: Step[], overrides: Partial<Runbook> = {}): Runbook {
  const hosts: Host[] = names(count).map((name) => ({ name, host: name, sshOptions: {}, vars: {} }));
  return runbook(steps, { targets: { groups: new Map([['web', hosts]]), hosts: new Map(hosts.map((h) => [h.name, h])) }, ...overrides });
}

function start(rb: Runbook, executor: Executor, extra: Partial<EngineOptions> = {}) {
  const sink = new RecordingSink();
  const done = runEngine({ runbook: rb, runId: 'r1', params: {}, secrets: {}, executorFor: () => executor, onEvent: sink.onEvent, startDir: '/tmp', env: {}, ...extra });
  return { sink, done };
}

/** Fails `deploy` on the named hosts; everything else succeeds. */
const failDeployOn = (...hosts: string[]): FakeBehaviour => (req) => ({ exitCode: req.script === 'deploy' && hosts.includes(req.target.name) ? 1 : 0 });
const targetsOf = (executor: FakeExecutor, script: string) => executor.calls.filter((c) => c.script === script).map((c) => c.target.name);

describe('serial: batch sizes', () => {
  it('a number is hosts per batch; a percentage of the group is rounded up, at least 1', () => {
    expect(batchSizeOf(undefined, 200)).toBe(200);
    expect(batchSizeOf(3, 200)).toBe(3);
    expect(batchSizeOf('25%', 200)).toBe(50);
    expect(batchSizeOf('25%', 10)).toBe(3);
    expect(batchSizeOf('33%', 3)).toBe(1);
    expect(batchSizeOf('34%', 3)).toBe(2);
    expect(batchSizeOf('1%', 10)).toBe(1);
    expect(batchSizeOf('100%', 7)).toBe(7);
    expect(toBatches(names(7), '30%').map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it('serial: 50% runs a group of 5 in batches of 3 and 2, recorded before each starts', async () => {
    const executor = new FakeExecutor();
    const { sink, done } = start(fleet(5, [step({ id: 'deploy', on: 'web', run: 'deploy', serial: '50%' })]), executor);
    expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(sink.of('step.batch').map((e) => [e.batch, e.targets])).toEqual([
      [1, ['web-1', 'web-2', 'web-3']],
      [2, ['web-4', 'web-5']],
    ]);
  });
});

describe('forks: hosts in flight', () => {
  it('a slow host never holds back a free slot, and no more than forks run at once', async () => {
    const executor = new GatedExecutor();
    const { sink, done } = start(fleet(5, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy' })], { forks: 2 }), executor);
    await executor.callsReach(2);
    expect(executor.running).toEqual(['web-1', 'web-2']);
    // web-1 stays busy while the other slot goes through web-2 … web-5.
    for (const [ending, next] of [['web-2', 'web-3'], ['web-3', 'web-4'], ['web-4', 'web-5']] as const) {
      executor.release(ending);
      await executor.callsReach(executor.calls.length + 1);
      expect(executor.running).toEqual(['web-1', next]);
    }
    executor.release('web-5');
    executor.release('web-1');
    expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.maxInFlight).toBe(2);
    // With a rollback to run where the step started, each set of hosts is recorded before it starts.
    expect(sink.of('step.batch').map((e) => e.targets)).toEqual([['web-1', 'web-2'], ['web-3'], ['web-4'], ['web-5']]);
    expect(new Set(sink.of('step.batch').map((e) => e.batch))).toEqual(new Set([1]));
  });

  it('never more than forks in flight, whatever order hosts end in (seeded random orders, batches and forks)', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed);
      const hosts = 1 + Math.floor(random() * 30);
      const forks = 1 + Math.floor(random() * 8);
      const serial = random() < 0.5 ? undefined : 1 + Math.floor(random() * hosts);
      const executor = new GatedExecutor();
      const rb = fleet(hosts, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy', ...(serial ? { serial } : {}) })], { forks });
      const { sink, done } = start(rb, executor);
      const batches = toBatches(names(hosts), serial);
      let ended = 0;
      for (const batch of batches) {
        const batchEnd = ended + batch.length;
        while (ended < batchEnd) {
          // Within a batch every free slot is taken at once.
          await executor.callsReach(Math.min(batchEnd, ended + forks));
          expect(executor.running.length).toBe(Math.min(forks, batchEnd - ended));
          const running = executor.running;
          executor.release(running[Math.floor(random() * running.length)] as string);
          ended++;
        }
      }
      expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
      expect(executor.maxInFlight).toBe(Math.min(forks, Math.max(...batches.map((b) => b.length))));
      expect(executor.calls.map((c) => c.target.name)).toEqual(names(hosts));
      // What was recorded as started is exactly what started, in start order.
      const recorded = sink.of('step.batch').flatMap((e) => e.targets);
      expect(recorded.length === 0 ? names(hosts) : recorded).toEqual(names(hosts));
    }
  });

  it('without a rollback that needs them, no record per free slot: one per batch, naming the whole batch', async () => {
    for (const deploy of [step({ id: 'deploy', on: 'web', run: 'deploy', serial: 3 }), { ...step({ id: 'deploy', on: 'web', run: 'deploy', serial: 3 }), rollback: { command: command('undeploy'), on: 'local' } }]) {
      const executor = new GatedExecutor((req) => req.script === 'deploy');
      const { sink, done } = start(fleet(5, [deploy], { forks: 2 }), executor);
      for (const name of names(5)) {
        await executor.callsReach(Number(name.slice(4)));
        executor.release(name);
      }
      expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
      expect(executor.maxInFlight).toBeLessThanOrEqual(2);
      expect(sink.of('step.batch').map((e) => [e.batch, e.targets])).toEqual([
        [1, ['web-1', 'web-2', 'web-3']],
        [2, ['web-4', 'web-5']],
      ]);
    }
  });

  it('--forks overrides the runbook; without either every host of a batch starts at once', async () => {
    const gated = new GatedExecutor();
    const { done } = start(fleet(4, [step({ id: 'deploy', on: 'web', run: 'deploy' })], { forks: 4 }), gated, { forks: 1 });
    await gated.callsReach(1);
    expect(gated.running).toEqual(['web-1']);
    for (const name of names(4)) {
      await gated.callsReach(Number(name.slice(4)));
      gated.release(name);
    }
    expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(gated.maxInFlight).toBe(1);

    const all = new GatedExecutor();
    const second = start(fleet(60, [step({ id: 'deploy', on: 'web', run: 'deploy' })], { forks: 60 }), all);
    await all.callsReach(60);
    expect(all.running).toHaveLength(60);
    for (const name of names(60)) all.release(name);
    expect(await second.done).toEqual({ status: 'succeeded', exitCode: 0 });
    // One batch that fits in forks: nothing to record beyond the step's start.
    expect(second.sink.of('step.batch')).toHaveLength(0);
  });

  it('a stop while hosts wait for a slot: they never start, and only the started hosts are compensated, one at a time, newest first', async () => {
    const executor = new GatedExecutor((req) => req.script === 'deploy');
    const cancel = new AbortController();
    const rb = fleet(5, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy' })], { forks: 2 });
    const { sink, done } = start(rb, executor, { cancel: cancel.signal });
    await executor.callsReach(2);
    // Had the runner died now, its journal would name exactly the two hosts that started.
    expect(priorRunState([...sink.events]).steps.find((s) => s.stepId === 'deploy')?.targets).toEqual(['web-1', 'web-2']);
    cancel.abort();
    expect(await done).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(executor.targetsOf('deploy')).toEqual(['web-1', 'web-2']);
    expect(sink.of('step.batch').flatMap((e) => e.targets)).toEqual(['web-1', 'web-2']);
    expect(executor.targetsOf('undeploy')).toEqual(['web-2', 'web-1']);
    const finished = sink.of('step.finished')[0];
    expect(finished?.status).toBe('failed');
    expect(finished?.targets.map((t) => t.target)).toEqual(['web-1', 'web-2']);
  });

  it('rollbacks stay one host at a time whatever forks says', async () => {
    const executor = new GatedExecutor((req) => req.script === 'undeploy');
    const rb = fleet(4, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy' }), step({ id: 'boom', run: 'fail' })], { forks: 4 });
    const failing: Executor = { exec: (req) => (req.script === 'fail' ? Promise.resolve({ exitCode: 1, signal: null, outputs: {}, durationMs: 1 }) : executor.exec(req)) };
    const { done } = start(rb, failing);
    for (const [i, name] of ['web-4', 'web-3', 'web-2', 'web-1'].entries()) {
      await executor.callsReach(4 + i + 1);
      expect(executor.running).toEqual([name]);
      executor.release(name);
    }
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.maxInFlight).toBe(1);
  });
});

describe('maxFailures / maxFailPercentage', () => {
  it('the tolerated number: maxFailures, the percentage of the group rounded down, the stricter of both, 0 without either', () => {
    expect(toleratedHostFailures({}, 200)).toBe(0);
    expect(toleratedHostFailures({ maxFailures: 3 }, 200)).toBe(3);
    expect(toleratedHostFailures({ maxFailPercentage: 1 }, 200)).toBe(2);
    expect(toleratedHostFailures({ maxFailPercentage: 30 }, 8)).toBe(2);
    expect(toleratedHostFailures({ maxFailPercentage: 25 }, 8)).toBe(2);
    expect(toleratedHostFailures({ maxFailPercentage: 10 }, 30)).toBe(3);
    expect(toleratedHostFailures({ maxFailPercentage: 0.1 }, 3000)).toBe(3);
    expect(toleratedHostFailures({ maxFailPercentage: 100 }, 7)).toBe(7);
    expect(toleratedHostFailures({ maxFailPercentage: 0 }, 7)).toBe(0);
    expect(toleratedHostFailures({ maxFailures: 5, maxFailPercentage: 10 }, 20)).toBe(2);
    expect(toleratedHostFailures({ maxFailures: 1, maxFailPercentage: 50 }, 20)).toBe(1);
  });

  it('within the threshold: the step succeeds naming its failed hosts, the run goes on and succeeds', async () => {
    const executor = new FakeExecutor(failDeployOn('web-2', 'web-5'));
    const rb = fleet(8, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy', serial: 3, maxFailures: 2 }), step({ id: 'next', run: 'next' })]);
    const { sink, done } = start(rb, executor);
    expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
    const finished = sink.of('step.finished')[0];
    expect(finished).toMatchObject({ stepId: 'deploy', status: 'succeeded', exitCode: 0, failedHosts: ['web-2', 'web-5'], toleratedFailures: 2 });
    expect(finished?.error).toBeUndefined();
    expect(finished?.targets).toHaveLength(8);
    expect(targetsOf(executor, 'undeploy')).toEqual([]);
    expect(executor.scripts.at(-1)).toBe('next');
  });

  it('crossed: checked when a batch ends; no further batch starts; rollbacks run on every started host, failed ones included, newest first', async () => {
    const executor = new FakeExecutor(failDeployOn('web-2', 'web-3'));
    const rb = fleet(6, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy', serial: 2, maxFailures: 1 }), step({ id: 'next', run: 'next' })]);
    const { sink, done } = start(rb, executor);
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(targetsOf(executor, 'deploy')).toEqual(['web-1', 'web-2', 'web-3', 'web-4']);
    expect(targetsOf(executor, 'undeploy')).toEqual(['web-4', 'web-3', 'web-2', 'web-1']);
    expect(executor.scripts).not.toContain('next');
    const finished = sink.of('step.finished')[0];
    expect(finished).toMatchObject({ status: 'failed', exitCode: 1, failedHosts: ['web-2', 'web-3'], toleratedFailures: 1 });
    expect(finished?.error).toBe(
      'step "deploy" failed on 2 of 6 hosts (web-2, web-3), more than the 1 it tolerates (maxFailures: 1); ' +
        'step "deploy" failed with exit code 1 on web-2; step "deploy" failed with exit code 1 on web-3; not started on 2 hosts: web-5, web-6',
    );
  });

  it('a batch that began runs to its end even when the threshold is crossed in it (forks only sets how many at once)', async () => {
    const executor = new FakeExecutor(failDeployOn('web-1', 'web-2'));
    const rb = fleet(6, [step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy', maxFailPercentage: 10 })], { forks: 2 });
    const { sink, done } = start(rb, executor);
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(targetsOf(executor, 'deploy')).toEqual(names(6));
    expect(targetsOf(executor, 'undeploy')).toEqual(names(6).reverse());
    expect(sink.of('step.finished')[0]?.error).toMatch(/^step "deploy" failed on 2 of 6 hosts \(web-1, web-2\), more than the 0 it tolerates \(maxFailPercentage: 10 of 6 hosts\)/);
  });

  it('maxFailPercentage is of the whole group: 2 of 8 failed within 25% goes on, a third fails the step', async () => {
    const within = new FakeExecutor(failDeployOn('web-1', 'web-2'));
    const rb = (steps: Step[]) => fleet(8, steps);
    const deploy = step({ id: 'deploy', on: 'web', run: 'deploy', serial: 1, maxFailPercentage: 25 });
    expect(await start(rb([deploy]), within).done).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(targetsOf(within, 'deploy')).toEqual(names(8));

    const beyond = new FakeExecutor(failDeployOn('web-1', 'web-2', 'web-6'));
    const { sink, done } = start(rb([deploy]), beyond);
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(targetsOf(beyond, 'deploy')).toEqual(names(6));
    expect(sink.of('step.finished')[0]?.failedHosts).toEqual(['web-1', 'web-2', 'web-6']);
  });

  it('hosts already done count as done, never as failed, and are not compensated; the tolerated failed host is', async () => {
    const deployed = new Set(['web-1', 'web-2']);
    const executor = new FakeExecutor((req) => {
      if (req.script === 'deployed') return { exitCode: deployed.has(req.target.name) ? 0 : 1 };
      if (req.script === 'deploy' && req.target.name === 'web-3') return { exitCode: 1 };
      if (req.script === 'deploy') deployed.add(req.target.name);
      return { exitCode: req.script === 'fail' ? 1 : 0 };
    });
    const deploy: Step = { ...step({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy', maxFailures: 1 }), check: { command: command('deployed'), after: true } };
    const { sink, done } = start(fleet(4, [deploy, step({ id: 'boom', run: 'fail' })]), executor);
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    const finished = sink.of('step.finished')[0];
    expect(finished).toMatchObject({ status: 'succeeded', failedHosts: ['web-3'], toleratedFailures: 1 });
    expect(finished?.targets.map((t) => [t.target, t.status])).toEqual([
      ['web-1', 'alreadyDone'],
      ['web-2', 'alreadyDone'],
      ['web-3', 'failed'],
      ['web-4', 'succeeded'],
    ]);
    expect(targetsOf(executor, 'undeploy')).toEqual(['web-4', 'web-3']);
  });

  it('an interrupted host fails the step whatever the threshold', async () => {
    const executor = new GatedExecutor();
    const cancel = new AbortController();
    const { sink, done } = start(fleet(3, [step({ id: 'deploy', on: 'web', run: 'deploy', maxFailures: 3 })]), executor, { cancel: cancel.signal });
    await executor.callsReach(3);
    executor.release('web-1');
    cancel.abort();
    expect(await done).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(sink.of('step.finished')[0]?.status).toBe('failed');
  });

  it('without limits nothing changes: one failed host fails the step, later batches never start', async () => {
    const executor = new FakeExecutor(failDeployOn('web-1'));
    const { sink, done } = start(fleet(4, [step({ id: 'deploy', on: 'web', run: 'deploy', serial: 2 })]), executor);
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(targetsOf(executor, 'deploy')).toEqual(['web-1', 'web-2']);
    const finished = sink.of('step.finished')[0];
    expect(finished).toMatchObject({ status: 'failed', failedHosts: ['web-1'], error: 'step "deploy" failed with exit code 1 on web-1' });
    expect(finished?.toleratedFailures).toBeUndefined();
  });

  it('a large failure is named without growing: 5 host errors quoted, the rest counted', async () => {
    const executor = new FakeExecutor((req) => ({ exitCode: req.script === 'deploy' ? 1 : 0 }));
    const { sink, done } = start(fleet(40, [step({ id: 'deploy', on: 'web', run: 'deploy', maxFailures: 10 })]), executor);
    expect(await done).toEqual({ status: 'rolledBack', exitCode: 1 });
    const error = sink.of('step.finished')[0]?.error ?? '';
    expect(error).toMatch(/^step "deploy" failed on 40 of 40 hosts \(web-1, web-2, web-3, web-4, web-5, web-6, web-7, web-8, web-9, web-10 and 30 more\), more than the 10 it tolerates \(maxFailures: 10\); /);
    expect(error.match(/failed with exit code 1 on/g)).toHaveLength(5);
    expect(error).toMatch(/; and 35 more failed hosts$/);
  });
});
