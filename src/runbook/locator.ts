/**
 * What the checks need from a parsed YAML file: where a data path is written. Two parsers
 * implement it — the fast one (js-yaml, for valid files) and the exact one (`yaml`, whose
 * diagnostics are the contract) — so every check works unchanged on either.
 */
import type { SourceLocation } from '../errors/location.js';

/** One step of a data path: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Maps data paths of one parsed file back to line:col. */
export interface Locator {
  /** Where the value at `path` is written (its key with `key: true`); nearest written ancestor if absent. */
  locate(path: readonly PathSegment[], options?: { key?: boolean }): SourceLocation;
  /** Where character `offset` of the string `value` (the scalar at `path`) is written. */
  locateInString(path: readonly PathSegment[], value: string, offset: number): SourceLocation;
}
