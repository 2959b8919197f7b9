/** Turns a step's `on:` into concrete targets, honouring `--limit`. */
import { LOCAL_TARGET, type Inventory, type Target } from '../runbook/model.js';

/** Targets for `on:` in inventory order; `--limit` keeps only the named host or group. */
export function resolveTargets(on: string, inventory: Inventory, limit?: string): Target[] {
  if (on === 'local') return [LOCAL_TARGET];
  const group = inventory.groups.get(on);
  const targets: Target[] = group
    ? group.map((host) => ({ kind: 'ssh', name: host.name, host, group: on }))
    : [...inventory.hosts.values()].filter((h) => h.name === on).map((host) => ({ kind: 'ssh', name: host.name, host }));
  if (!limit) return targets;
  const limited = inventory.groups.get(limit);
  return targets.filter(
    (t) => t.kind === 'ssh' && (t.name === limit || t.host.host === limit || (limited?.some((h) => h.name === t.name) ?? false)),
  );
}
