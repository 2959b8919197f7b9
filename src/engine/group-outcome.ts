/**
 * A step's outcome from its hosts' outcomes: which hosts failed, whether the step failed
 * (threshold crossed, or interrupted), and a message that names the failed hosts without
 * growing with the size of the group.
 */
import type { Target } from '../runbook/model.js';
import type { CommandOutcome } from './command-attempts.js';
import type { TargetResult } from './events.js';
import type { HostFailureLimits } from './failure-policy.js';
import { STDOUT_TAIL_BYTES } from './output-collector.js';

/** A step's outcome: its targets' outcomes combined, and each target's result. */
export interface StepOutcome extends Omit<CommandOutcome, 'transportError' | 'executed'> {
  targets: TargetResult[];
  /** Hosts that failed or timed out, when the step has more than one host (or failure limits); on a `succeeded` step, the failures its limits tolerated. */
  failedHosts?: string[];
  /** Set when the step has `maxFailures` / `maxFailPercentage`: the most failed hosts it goes on past. */
  toleratedFailures?: number;
}

/** One host that started, and how it ended. */
export interface HostRun {
  target: Target;
  outcome: CommandOutcome;
}

/** What the batch loop knows when it is over. */
export interface HostsRan {
  /** Hosts that started, in start order. */
  results: HostRun[];
  /** Every target of the step, in order. */
  all: Target[];
  label: string;
  /** The failed hosts crossed the step's threshold (with no limits: any failed host). */
  crossed: boolean;
  /** Present when the step has limits: the most failed hosts it tolerates. */
  tolerated?: number;
  limits?: HostFailureLimits;
  durationMs: number;
}

/** Per-host errors quoted in the step's error; the rest are counted (each is in the step's targets). */
const ERRORS_SHOWN = 5;
/** Host names listed in a message; the rest are counted. */
const NAMES_SHOWN = 10;

/** A target's outcome that lets the step go on: it ran fine, or its check said it was already done. */
export function isDone(status: CommandOutcome['status']): boolean {
  return status === 'succeeded' || status === 'alreadyDone';
}

/** `web-1, web-2 and 3 more`. */
export function listNames(names: readonly string[], shown = NAMES_SHOWN): string {
  const listed = names.slice(0, shown).join(', ');
  return names.length > shown ? `${listed} and ${names.length - shown} more` : listed;
}

function limitWords(limits: HostFailureLimits, hosts: number): string {
  const words: string[] = [];
  if (limits.maxFailures !== undefined) words.push(`maxFailures: ${limits.maxFailures}`);
  if (limits.maxFailPercentage !== undefined) words.push(`maxFailPercentage: ${limits.maxFailPercentage} of ${hosts} hosts`);
  return words.join(', ');
}

function failureMessage(ran: HostsRan, failed: HostRun[], notStarted: Target[], cancelled: boolean): string {
  const { label, all } = ran;
  if (failed.length === 0) return cancelled ? `${label} was interrupted before it started on ${listNames(notStarted.map((t) => t.name))}` : `${label} failed`;
  const names = listNames(failed.map((r) => r.target.name));
  const parts: string[] = [];
  if (ran.tolerated !== undefined && ran.limits && ran.crossed) {
    parts.push(`${label} failed on ${failed.length} of ${all.length} hosts (${names}), more than the ${ran.tolerated} it tolerates (${limitWords(ran.limits, all.length)})`);
  } else if (failed.length > ERRORS_SHOWN) parts.push(`${label} failed on ${failed.length} of ${all.length} hosts (${names})`);
  const errors = failed.map((r) => r.outcome.error).filter((e): e is string => Boolean(e));
  parts.push(...errors.slice(0, ERRORS_SHOWN));
  if (errors.length > ERRORS_SHOWN) parts.push(`and ${errors.length - ERRORS_SHOWN} more failed hosts`);
  if (ran.tolerated !== undefined && notStarted.length > 0) parts.push(`not started on ${notStarted.length} hosts: ${listNames(notStarted.map((t) => t.name))}`);
  return parts.join('; ');
}

/** Combines the hosts' outcomes into the step's outcome. */
export function combineHosts(ran: HostsRan): StepOutcome {
  const { results, all } = ran;
  const failed = results.filter((r) => !isDone(r.outcome.status));
  const executed = results.filter((r) => r.outcome.status !== 'alreadyDone');
  const startedNames = new Set(results.map((r) => r.target.name));
  const notStarted = all.filter((t) => !startedNames.has(t.name));
  // Hosts left out without the threshold being crossed were left out by a stop: the step is not complete.
  const cancelled = results.some((r) => r.outcome.cancelled) || (!ran.crossed && notStarted.length > 0);
  const fails = ran.crossed || cancelled;
  const status: StepOutcome['status'] = fails
    ? failed.some((r) => r.outcome.status === 'failed') || failed.length === 0
      ? 'failed'
      : 'timedOut'
    : executed.length === 0 && results.length > 0
      ? 'alreadyDone'
      : 'succeeded';
  const outputs: Record<string, string> = {};
  for (const r of results) Object.assign(outputs, r.outcome.outputs);
  const tails = results.map((r) => r.outcome.stdoutTail).filter((t) => t.length > 0);
  const firstFailure = failed[0]?.outcome;
  const limited = ran.tolerated !== undefined;
  return {
    status,
    exitCode: fails ? (firstFailure?.exitCode ?? null) : (results.find((r) => isDone(r.outcome.status))?.outcome.exitCode ?? 0),
    attempt: executed.length > 0 ? Math.max(1, ...executed.map((r) => r.outcome.attempt)) : 0,
    durationMs: ran.durationMs,
    ...(fails ? { error: failureMessage(ran, failed, notStarted, cancelled) } : {}),
    outputs,
    stdoutTail: tails.join('\n').slice(-STDOUT_TAIL_BYTES),
    cancelled,
    targets: results.map(({ target, outcome }) => ({
      target: target.name,
      status: outcome.status,
      exitCode: outcome.exitCode,
      attempt: outcome.attempt,
      durationMs: outcome.durationMs,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(!outcome.executed && outcome.status !== 'alreadyDone' ? { notRun: true } : {}),
    })),
    ...(failed.length > 0 && (all.length > 1 || limited) ? { failedHosts: failed.map((r) => r.target.name) } : {}),
    ...(limited ? { toleratedFailures: ran.tolerated } : {}),
  };
}
