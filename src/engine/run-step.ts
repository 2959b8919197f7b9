/**
 * Runs a step's command on all its targets (SPEC §3.3): in `serial` batches, one after the
 * other; within a batch at most `forks` hosts in flight (a pool: a free slot takes the next
 * host). When a batch has ended, the failure policy decides whether the step goes on (its
 * failed hosts are within `maxFailures` / `maxFailPercentage`) or stops; the hosts of batches
 * never begun are not touched.
 */
import type { BatchSize, Target } from '../runbook/model.js';
import type { CommandOutcome } from './command-attempts.js';
import { crossesFailureLimit, toleratedHostFailures, type HostFailureLimits } from './failure-policy.js';
import { combineHosts, isDone, type HostRun, type StepOutcome } from './group-outcome.js';
import { runPool } from './host-pool.js';

export type { StepOutcome } from './group-outcome.js';

export interface BatchRunner {
  targets: Target[];
  serial: BatchSize | undefined;
  /** Most hosts in flight at once (`forks`, at least 1). */
  forks: number;
  limits: HostFailureLimits;
  /** `step "deploy"`: how messages name the step. */
  label: string;
  /**
   * Called, and awaited, before hosts start, with the hosts that start now. With `forks`
   * smaller than a batch, a batch starts in several calls (`first` only for the first).
   */
  onStart: (targets: Target[], batch: BatchPosition) => void | Promise<void>;
  runOn: (target: Target) => Promise<CommandOutcome>;
  /** Stop starting hosts (cancellation); hosts already running end on their own signal. */
  stopped: () => boolean;
}

/** Where hosts that start belong. */
export interface BatchPosition {
  /** 0-based. */
  index: number;
  count: number;
  /** Every host of the batch. */
  hosts: Target[];
  /** The batch's first hosts start (its first call). */
  first: boolean;
}

/** Hosts per batch: `serial` as a number, or that percentage of `hosts` rounded up (at least 1); all of them without `serial`. */
export function batchSizeOf(serial: BatchSize | undefined, hosts: number): number {
  if (serial === undefined) return Math.max(1, hosts);
  if (typeof serial === 'number') return Math.max(1, serial);
  const percent = Number(serial.slice(0, -1));
  return Math.max(1, Math.ceil((percent * hosts) / 100));
}

/** Splits targets into batches of `serial` (all at once when undefined). */
export function toBatches<T>(targets: readonly T[], serial: BatchSize | undefined): T[][] {
  const size = batchSizeOf(serial, targets.length);
  const batches: T[][] = [];
  for (let i = 0; i < targets.length; i += size) batches.push(targets.slice(i, i + size));
  return batches;
}

/** Runs the batches and combines the per-target outcomes into the step's outcome. */
export async function runOnTargets(runner: BatchRunner): Promise<StepOutcome> {
  const started = performance.now();
  const batches = toBatches(runner.targets, runner.serial);
  const tolerated = toleratedHostFailures(runner.limits, runner.targets.length);
  const results: HostRun[] = [];
  let failed = 0;
  let crossed = false;
  for (const [index, batch] of batches.entries()) {
    if (runner.stopped()) break;
    let first = true;
    const ran = await runPool({
      items: batch,
      limit: runner.forks,
      announce: (targets) => {
        const position = { index, count: batches.length, hosts: batch, first };
        first = false;
        return runner.onStart(targets, position);
      },
      run: runner.runOn,
      unstarted: (target) => unstartedOutcome(runner.label, target),
      stopped: runner.stopped,
    });
    for (const { item, result } of ran) {
      results.push({ target: item, outcome: result });
      if (!isDone(result.status)) failed++;
    }
    if (crossesFailureLimit(failed, tolerated)) {
      crossed = true;
      break;
    }
  }
  const { maxFailures, maxFailPercentage } = runner.limits;
  const limits = { ...(maxFailures !== undefined ? { maxFailures } : {}), ...(maxFailPercentage !== undefined ? { maxFailPercentage } : {}) };
  const limited = Object.keys(limits).length > 0;
  return combineHosts({ results, all: runner.targets, label: runner.label, crossed, ...(limited ? { tolerated, limits } : {}), durationMs: performance.now() - started });
}

/** A host whose start was recorded when the run was told to stop: it never ran. */
function unstartedOutcome(label: string, target: Target): CommandOutcome {
  return { status: 'failed', exitCode: null, attempt: 0, durationMs: 0, error: `${label} was interrupted before it started on ${target.name}`, outputs: {}, stdoutTail: '', cancelled: true, executed: false };
}
