/** Builds typed runbooks for engine tests without going through YAML. */
import type { CommandSpec, Runbook, Step } from '../../src/runbook/model.js';

const here = { file: 'test.yaml', line: 1, col: 1 };

export function command(run: string, overrides: Partial<CommandSpec> = {}): CommandSpec {
  return { run, shell: 'bash', env: {}, timeoutMs: 60_000, retry: { attempts: 1, delayMs: 0, backoff: 1 }, location: here, ...overrides };
}

export type StepInit = Partial<Omit<Step, 'action' | 'rollback'>> & {
  id: string;
  run?: string;
  confirm?: string;
  command?: Partial<CommandSpec>;
  rollback?: string | CommandSpec;
};

export function step(init: StepInit): Step {
  const { run, confirm, command: overrides, rollback, ...rest } = init;
  return {
    on: 'local',
    continueOnError: false,
    outputs: [],
    location: here,
    ...rest,
    action: confirm !== undefined ? { kind: 'confirm', prompt: confirm } : { kind: 'run', command: command(run ?? 'true', overrides) },
    ...(rollback !== undefined ? { rollback: { command: typeof rollback === 'string' ? command(rollback) : rollback } } : {}),
  };
}

export function runbook(steps: Step[], overrides: Partial<Runbook> = {}): Runbook {
  return {
    name: 'test',
    file: '/tmp/test.yaml',
    source: '',
    params: [],
    env: {},
    secrets: [],
    targets: { groups: new Map(), hosts: new Map() },
    lock: 'test',
    onFailure: 'rollback',
    forks: 50,
    steps,
    finally: [],
    ...overrides,
  };
}
