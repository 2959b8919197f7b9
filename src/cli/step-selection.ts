/**
 * Command-line choices about what a run acts on, checked before anything runs: `--from` /
 * `--only` must name steps, `--limit` must match a host or group. These are mistakes on the
 * command line, so they are reported as such (`stepwise: --from nosuch: …`), not located in
 * the runbook.
 */
import { resolveTargets } from '../engine/resolve-targets.js';
import { UsageError } from '../errors/stepwise-error.js';
import { closest } from '../runbook/did-you-mean.js';
import type { Runbook } from '../runbook/model.js';
import type { RunArgs } from './run-args.js';

/** `--only a, b` → `['a', 'b']`; undefined when not given. */
export function parseOnly(only: string | undefined): string[] | undefined {
  if (only === undefined) return undefined;
  return only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Throws UsageError (exit 2) when `--from` or `--only` names a step the runbook lacks. */
export function checkStepSelection(runbook: Runbook, args: Pick<RunArgs, 'from' | 'only'>): void {
  const ids = runbook.steps.map((s) => s.id);
  const wanted = [...(args.from !== undefined ? [['--from', args.from] as const] : []), ...(parseOnly(args.only) ?? []).map((id) => ['--only', id] as const)];
  if (args.only !== undefined && parseOnly(args.only)?.length === 0) throw new UsageError('--only names no step', { hint: `steps: ${ids.join(', ')}` });
  for (const [option, id] of wanted) {
    if (ids.includes(id)) continue;
    const guess = closest(id, ids);
    throw new UsageError(`${option} ${id}: runbook "${runbook.name}" has no step \`${id}\`${guess ? `; did you mean \`${guess}\`?` : ''}`, {
      hint: `steps: ${ids.join(', ')}${runbook.finally.some((s) => s.id === id) ? ` (\`${id}\` is a finally step: those always run)` : ''}`,
    });
  }
}

/** Throws UsageError (exit 2) naming what exists when `--limit` matches no host or group. */
export function checkLimit(runbook: Runbook, limit: string | undefined): void {
  if (limit === undefined) return;
  const { groups, hosts } = runbook.targets;
  // The engine's own rule decides: does any host survive the limit?
  if ([...hosts.keys()].some((name) => resolveTargets(name, runbook.targets, limit).length > 0)) return;
  if (hosts.size === 0) {
    throw new UsageError(`--limit ${limit}: runbook "${runbook.name}" has no remote hosts, so --limit would leave nothing to restrict`, {
      hint: '--limit restricts remote targets (inline targets: or --inventory FILE); drop it for a local-only runbook',
    });
  }
  const guess = closest(limit, [...groups.keys(), ...hosts.keys()]);
  const list = (names: Iterable<string>) => [...names].join(', ') || '(none)';
  throw new UsageError(`--limit ${limit} matches no host or group${guess ? `; did you mean \`${guess}\`?` : ''}`, {
    hint: `groups: ${list(groups.keys())}; hosts: ${list(hosts.keys())}`,
  });
}
