/**
 * Where a stacked step's rollback runs: the targets `rollback.on` names (honouring
 * `--limit`), else the hosts the step started on. Shared by the engine and by
 * `rollback --dry-run`, so the preview can never disagree with what would run.
 */
import type { Runbook, Target } from '../runbook/model.js';
import { resolveTargets } from './resolve-targets.js';
import type { StartedStep } from './rollback-stack.js';

/** The rollback's targets in start order (compensation visits them in reverse). */
export function rollbackTargets(entry: StartedStep, runbook: Runbook, limit?: string): Target[] {
  const on = entry.step.rollback?.on;
  return on ? resolveTargets(on, runbook.targets, limit) : entry.targets;
}
