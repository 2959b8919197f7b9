/**
 * What `--step` shows before it asks: the step's command on each of its targets with every
 * `${{ }}` filled in from what the run knows by now (secrets `***`), rendered exactly as
 * `plan` renders it — the same resolver and the same text, so the two never disagree. It
 * learns the results of earlier steps from the run's own events.
 */
import type { EngineEvent } from '../engine/events.js';
import { resolveTargets } from '../engine/resolve-targets.js';
import type { StepRecord } from '../engine/run-context.js';
import type { Style } from '../reporters/terminal-style.js';
import type { Runbook, ScalarValue, Step } from '../runbook/model.js';
import { commandsOn } from './plan-model.js';
import { PlanResolver } from './plan-resolve.js';
import { commandLines } from './plan-step.js';

/** Resolves steps for display with what the run has learnt so far. */
export class StepPreview {
  private readonly steps: Map<string, StepRecord>;

  constructor(
    private readonly runbook: Runbook,
    private readonly params: Record<string, ScalarValue>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly runId: string,
    private readonly limit: string | undefined,
    known: ReadonlyMap<string, StepRecord> = new Map(),
  ) {
    this.steps = new Map(known);
  }

  /** Learns from the run's events (results of finished steps, masked as the journal has them). */
  readonly observe = (event: EngineEvent): void => {
    if (event.type !== 'step.finished') return;
    this.steps.set(event.stepId, { status: event.status, outputs: event.outputs, stdout: event.stdoutTail ?? '', exitCode: event.exitCode });
  };

  /** The lines of the step's command (and check) as they would run now. */
  lines(step: Step, style: Style): string[] {
    if (step.action.kind !== 'run') return [];
    const resolver = new PlanResolver(this.runbook, this.params, this.env, { runId: this.runId, steps: this.steps });
    const targets = resolveTargets(step.on, this.runbook.targets, this.limit);
    const unresolved = 'cannot be resolved';
    const lines = commandLines('run', commandsOn(step.action.command, targets, resolver), style, unresolved);
    if (step.check) lines.push(...commandLines('check', commandsOn(step.check.command, targets, resolver), style, unresolved));
    return lines;
  }
}
