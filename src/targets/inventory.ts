/**
 * Inventories (SPEC §6): inline `targets:` of a runbook or an `--inventory FILE` of the same
 * shape, validated against the schema's `inventory` definition and built into an Inventory.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { throwIfAny } from '../runbook/diagnostics.js';
import type { Inventory } from '../runbook/model.js';
import { fastThenExact } from '../runbook/parser-fallback.js';
import { validateSchema } from '../runbook/schema-validate.js';
import { loadYamlFile, type YamlParser } from '../runbook/yaml-file.js';
import type { Locator, PathSegment } from '../runbook/locator.js';
import { buildInventory } from './inventory-build.js';

/** An inventory with no groups or hosts (only `local` is available). */
export function emptyInventory(): Inventory {
  return { groups: new Map(), hosts: new Map() };
}

/** How an inventory is read and checked. */
export interface InventoryChecks {
  /** Parser for an inventory file (default `exact`). */
  parser?: YamlParser;
  /** Check that `identity:` key files exist: only when a run is about to start (default false). */
  identityFiles?: boolean;
}

/**
 * Builds an inventory from schema-checked data at `prefix` of a file (`['targets']` for a
 * runbook). Problems are appended to `diagnostics`; relative key paths resolve against `baseDir`.
 */
export function inventoryFrom(raw: unknown, prefix: PathSegment[], locator: Locator, baseDir: string, diagnostics: Diagnostic[], checks: InventoryChecks = {}): Inventory {
  return buildInventory(raw, prefix, { locator, baseDir, diagnostics, checkIdentityFiles: checks.identityFiles === true });
}

/** Reads, validates and builds an inventory file; problems come back located in that file. */
export async function readInventoryFile(file: string, diagnostics: Diagnostic[], checks: InventoryChecks = {}): Promise<Inventory> {
  const loaded = loadYamlFile(file, 'inventory', { parser: checks.parser ?? 'exact' });
  if (!loaded.ok) {
    diagnostics.push(...loaded.diagnostics);
    return emptyInventory();
  }
  const { value, locator, path } = loaded.file;
  diagnostics.push(...(await validateSchema('inventory', value, locator)));
  return inventoryFrom(value, [], locator, dirname(path), diagnostics, checks);
}

/** Loads an inventory file; throws ValidationError with every problem found in it. */
export async function loadInventory(file: string, checks: Omit<InventoryChecks, 'parser'> = {}): Promise<Inventory> {
  return fastThenExact(async (parser) => {
    const diagnostics: Diagnostic[] = [];
    const inventory = await readInventoryFile(file, diagnostics, { ...checks, parser });
    throwIfAny(diagnostics);
    return inventory;
  });
}

/** True when `on:` can name this target: `local`, a group, or a host. */
export function hasTarget(inventory: Inventory, name: string): boolean {
  return name === 'local' || inventory.groups.has(name) || inventory.hosts.has(name);
}
