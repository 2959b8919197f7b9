/**
 * Inventories (SPEC §6): inline `targets:` of a runbook or an `--inventory FILE` of the same
 * shape, validated against the schema's `inventory` definition and built into an Inventory.
 * A group lists hosts, or names other groups (a string entry equal to a group name includes
 * that group's hosts as defined there); cycles are errors. `local` is reserved for the
 * built-in local target.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { formatPath, withHint } from './diagnostics.js';
import { buildHost, hostFingerprint, type EntryContext, type SharedHostFields } from './inventory-host.js';
import type { PathSegment } from './locator.js';
import type { Host, Inventory } from './model.js';
import { loadYamlFile, type YamlFile } from './parse-yaml.js';
import { entriesOf, isRecord, itemsOf } from './raw-types.js';
import { validateWith } from './schema-validate.js';
import type { SchemaValidators } from './schema-types.js';

/** One entry of a group after the first pass: a host, or a reference to another group. */
type Member = { kind: 'host'; host: Host; at: PathSegment[] } | { kind: 'group'; name: string; at: PathSegment[] };

function report(context: EntryContext, at: readonly PathSegment[], message: string, options: { key?: boolean } = {}): void {
  context.diagnostics.push({ location: context.locator.locate(at, options), path: formatPath(at), message });
}

/** Reads a group's entries into members (first pass: no group expansion yet). */
function readGroup(raw: unknown, at: PathSegment[], groupNames: Set<string>, context: EntryContext): Member[] {
  const list = Array.isArray(raw) ? raw : isRecord(raw) ? itemsOf(raw.hosts) : [];
  const listAt = Array.isArray(raw) ? at : [...at, 'hosts'];
  const shared: SharedHostFields = isRecord(raw) ? (raw as SharedHostFields) : {};
  const members: Member[] = [];
  list.forEach((entry, index) => {
    const entryAt = [...listAt, index];
    if (typeof entry === 'string' && groupNames.has(entry)) {
      members.push({ kind: 'group', name: entry, at: entryAt });
      return;
    }
    const host = buildHost(entry, entryAt, shared, isRecord(raw) ? at : undefined, context);
    if (host) members.push({ kind: 'host', host, at: entryAt });
  });
  return members;
}

/** Builds the inventory; problems go to `context.diagnostics`, located under `prefix`. */
function buildInventory(raw: unknown, prefix: PathSegment[], context: EntryContext): Inventory {
  const groupNames = new Set(entriesOf(raw).map(([name]) => name));
  const members = new Map<string, Member[]>();
  for (const [name, group] of entriesOf(raw)) {
    if (name === 'local') {
      report(context, [...prefix, name], withHint('`local` is the built-in local target and cannot be a group name', 'rename the group'), { key: true });
      continue;
    }
    members.set(name, readGroup(group, [...prefix, name], groupNames, context));
  }

  // Every host by name; one name defined twice must mean the same machine.
  const hosts = new Map<string, Host>();
  for (const list of members.values()) {
    for (const member of list) {
      if (member.kind !== 'host') continue;
      const { host, at } = member;
      if (host.name === 'local') {
        report(context, at, withHint('`local` is the built-in local target and cannot name a host', 'give the host another `name`'));
      } else if (groupNames.has(host.name)) {
        report(context, at, withHint(`host name \`${host.name}\` is also a group name, so \`on: ${host.name}\` would be ambiguous`, 'give the host another `name`'));
      }
      const earlier = hosts.get(host.name);
      if (!earlier) hosts.set(host.name, host);
      else if (hostFingerprint(earlier) !== hostFingerprint(host)) {
        const first = earlier.location ? ` (first at line ${earlier.location.line})` : '';
        report(context, at, withHint(`host \`${host.name}\` is defined again with different settings${first}`, 'give one of them a distinct `name`'));
      } else member.host = earlier;
    }
  }

  const groups = new Map<string, Host[]>();
  const expanding: string[] = [];
  const expand = (name: string): Host[] => {
    const done = groups.get(name);
    if (done) return done;
    expanding.push(name);
    const out = new Map<string, Host>();
    for (const member of members.get(name) ?? []) {
      if (member.kind === 'host') out.set(member.host.name, member.host);
      else if (expanding.includes(member.name)) {
        const cycle = [...expanding.slice(expanding.indexOf(member.name)), member.name].join(' → ');
        const message = member.name === name ? `group \`${name}\` lists itself` : `groups list each other in a circle: ${cycle}`;
        report(context, member.at, withHint(message, 'a group may list other groups, but not in a circle'));
      } else for (const host of expand(member.name)) out.set(host.name, host);
    }
    expanding.pop();
    const list = [...out.values()];
    groups.set(name, list);
    return list;
  };
  for (const [name, group] of entriesOf(raw)) {
    if (name === 'local') continue;
    expand(name);
    // Only a literally empty list: entries that failed to build were reported already.
    const list = Array.isArray(group) ? group : isRecord(group) ? group.hosts : undefined;
    if (Array.isArray(list) && list.length === 0) report(context, [...prefix, name], `group \`${name}\` has no hosts`, { key: true });
  }
  return { groups, hosts };
}

/**
 * Builds the inventory written at `prefix` of a loaded file (`['targets']` in a runbook, the
 * root of an inventory file). Problems are appended to `diagnostics`; relative key paths
 * resolve against the file's directory. `identityFiles`: also report key files that do not
 * exist (only when a run is about to start).
 */
export function inventoryFrom(file: YamlFile, raw: unknown, prefix: PathSegment[], diagnostics: Diagnostic[], identityFiles: boolean): Inventory {
  return buildInventory(raw, prefix, { locator: file.locator, baseDir: dirname(file.path), diagnostics, checkIdentityFiles: identityFiles });
}

/** Reads, validates and builds an inventory file; problems are appended, located in that file. */
export function readInventoryFile(path: string, validators: SchemaValidators, diagnostics: Diagnostic[], identityFiles: boolean): Inventory {
  const loaded = loadYamlFile(path, 'inventory');
  if (!loaded.ok) {
    diagnostics.push(...loaded.diagnostics);
    return { groups: new Map(), hosts: new Map() };
  }
  diagnostics.push(...validateWith(validators, 'inventory', loaded.file.value, loaded.file.locator));
  return inventoryFrom(loaded.file, loaded.file.value, [], diagnostics, identityFiles);
}
