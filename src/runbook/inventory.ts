/**
 * Inventories (SPEC §6): inline `targets:` of a runbook or an `--inventory FILE` of the same
 * shape, validated against the schema's `inventory` definition and built into an Inventory.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { buildInventory } from './inventory-build.js';
import type { PathSegment } from './locator.js';
import type { Inventory } from './model.js';
import { loadYamlFile, type YamlFile } from './parse-yaml.js';
import { validateWith } from './schema-validate.js';
import type { SchemaValidators } from './schema-types.js';

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
