/** `check:` guards (SPEC §2): already done before, must hold after, per host, with retries. */
import { describe, expect, it } from '@jest/globals';
import { runEngine, type EngineOptions } from '../../../src/engine/engine.js';
import type { PriorRunState } from '../../../src/engine/prior-run.js';
import type { Host, Runbook, Step } from '../../../src/runbook/model.js';
import { FakeExecutor, type FakeBehaviour } from '../../helpers/fake-executor.js';
import { command, runbook, step } from '../../helpers/model.js';
import { RecordingSink } from '../../helpers/recording-reporter.js';

function setup(rb: Runbook, behaviour?: FakeBehaviour, extra: Partial<EngineOptions> = {}) {
  const executor = new FakeExecutor(behaviour);
  const sink = new RecordingSink();
  const run = () => runEngine({ runbook: rb, runId: 'r1', params: {}, secrets: {}, executorFor: () => executor, onEvent: sink.onEvent, startDir: '/tmp', env: {}, ...extra });
  return { executor, sink, run };
}

const withCheck = (init: Parameters<typeof step>[0], check: string, after = true): Step => ({ ...step(init), check: { command: command(check), after } });

describe('check: guards', () => {
  it('a check that holds before the step: not run, already done, nothing pushed to compensate', async () => {
    const rb = runbook([withCheck({ id: 'a', run: 'install', rollback: 'uninstall' }, 'is-installed'), step({ id: 'b', run: 'fail' })]);
    const { executor, sink, run } = setup(rb, (req) => ({ exitCode: req.script === 'fail' ? 1 : 0 }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['is-installed', 'fail']);
    expect(executor.calls[0]?.env.STEPWISE_PHASE).toBe('check');
    expect(sink.of('step.finished')[0]?.status).toBe('alreadyDone');
    expect(sink.of('step.check.finished').map((e) => [e.when, e.result])).toEqual([['before', 'holds']]);
  });

  it('a check that fails before: the step runs, then the check must hold', async () => {
    let installed = false;
    const rb = runbook([withCheck({ id: 'a', run: 'install' }, 'is-installed')]);
    const { executor, sink, run } = setup(rb, (req) => {
      if (req.script === 'install') installed = true;
      return { exitCode: req.script === 'is-installed' && !installed ? 1 : 0 };
    });
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.scripts).toEqual(['is-installed', 'install', 'is-installed']);
    expect(sink.of('step.check.finished').map((e) => [e.when, e.result])).toEqual([['before', 'fails'], ['after', 'holds']]);
  });

  it('a check still failing after the step fails it (retries cover the pair) and compensates it', async () => {
    const rb = runbook([withCheck({ id: 'a', run: 'install', rollback: 'uninstall', command: { retry: { attempts: 2, delayMs: 0, backoff: 1 } } }, 'is-installed')]);
    const { executor, sink, run } = setup(rb, (req) => ({ exitCode: req.script === 'is-installed' ? 1 : 0 }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['is-installed', 'install', 'is-installed', 'install', 'is-installed', 'uninstall']);
    expect(sink.of('step.finished')[0]?.error).toBe('step "a" ran but its check still fails: the desired state does not hold');
  });

  it('after: false skips the check after the step', async () => {
    const rb = runbook([withCheck({ id: 'a', run: 'start' }, 'is-up', false)]);
    const { executor, run } = setup(rb, (req) => ({ exitCode: req.script === 'is-up' ? 1 : 0 }));
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.scripts).toEqual(['is-up', 'start']);
  });

  it('a check that cannot run is a step failure with its own message', async () => {
    const rb = runbook([withCheck({ id: 'a', run: 'install' }, 'slow-check')]);
    const { executor, sink, run } = setup(rb, () => ({ exitCode: null, signal: 'SIGKILL' }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['slow-check']);
    expect(sink.of('step.finished')[0]?.error).toMatch(/step "a": its check could not run: check of "a" was killed by SIGKILL/);
  });

  it('per host on a group: hosts already done are left alone, the others run, and only they are compensated', async () => {
    const host = (name: string): Host => ({ name, host: name, sshOptions: {}, vars: {} });
    const hosts = [host('web-1'), host('web-2'), host('web-3')];
    const targets = { groups: new Map([['web', hosts]]), hosts: new Map(hosts.map((h) => [h.name, h])) };
    const rb = runbook([withCheck({ id: 'deploy', on: 'web', run: 'deploy', rollback: 'undeploy' }, 'deployed'), step({ id: 'boom', run: 'fail' })], { targets });
    const done = new Set(['web-2']);
    const { executor, sink, run } = setup(rb, (req) => {
      const name = req.target.name;
      if (req.script === 'deployed') return { exitCode: done.has(name) ? 0 : 1 };
      if (req.script === 'deploy') done.add(name);
      return { exitCode: req.script === 'fail' ? 1 : 0 };
    });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(sink.of('step.finished')[0]?.targets.map((t) => [t.target, t.status])).toEqual([['web-1', 'succeeded'], ['web-2', 'alreadyDone'], ['web-3', 'succeeded']]);
    const undone = executor.calls.filter((c) => c.script === 'undeploy').map((c) => c.target.name);
    expect(undone.sort()).toEqual(['web-1', 'web-3']);
  });

  it('resume: the step that was running when the runner died is checked first, and not re-run when its check holds', async () => {
    const prior: PriorRunState = { steps: [{ stepId: 'a', status: 'started', outputs: {}, maskedOutputs: [], stdoutTail: '', exitCode: null, targets: ['local'], rolledBack: false, rollbackFailed: false }] };
    const rb = runbook([withCheck({ id: 'a', run: 'migrate' }, 'migrated'), step({ id: 'b', run: 'next' })]);
    const { executor, run } = setup(rb, () => ({ exitCode: 0 }), { prior });
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.scripts).toEqual(['migrated', 'next']);
  });

  it('resume: a step the killed run started, found done by its check, keeps its rollback there', async () => {
    const prior: PriorRunState = { steps: [{ stepId: 'a', status: 'started', outputs: {}, maskedOutputs: [], stdoutTail: '', exitCode: null, targets: ['local'], rolledBack: false, rollbackFailed: false }] };
    const rb = runbook([withCheck({ id: 'a', run: 'make', rollback: 'unmake' }, 'made'), step({ id: 'b', run: 'fail' })]);
    const { executor, sink, run } = setup(rb, (req) => ({ exitCode: req.script === 'fail' ? 1 : 0 }), { prior });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['made', 'fail', 'unmake']);
    expect(sink.of('step.finished')[0]?.status).toBe('alreadyDone');
  });

  it('a step found already done keeps the outputs its check wrote, for later steps', async () => {
    const rb = runbook([withCheck({ id: 'a', run: 'make' }, 'made'), step({ id: 'b', run: 'use ${{ steps.a.outputs.version }}' })]);
    const { executor, run } = setup(rb, (req) => ({ exitCode: 0, outputs: req.script === 'made' ? { version: 'v42' } : ({} as Record<string, string>) }));
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.commands).toEqual(['made', 'use v42']);
  });
});
