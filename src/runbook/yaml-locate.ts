/**
 * Maps a data path (`['steps', 2, 'retry']`) back to where it is written: the value node,
 * or its key for "unknown key" errors. When the path does not exist (a missing key), the
 * nearest written ancestor is used, so every diagnostic still points into the file.
 */
import type { Node, Pair, YAMLMap } from 'yaml';
import type { SourceLocation } from '../errors/location.js';
import type { Locator, PathSegment } from './locator.js';
import type { ParsedYaml } from './parse-yaml.js';
import { scalarOffset } from './scalar-offset.js';
import { yamlModule } from './yaml-lazy.js';

export type { PathSegment } from './locator.js';

interface Found {
  node: Node | null;
  key: Node | null;
  /** How many segments of the path were found. */
  depth: number;
}

/** Finds nodes of a file read by the exact parser by data path and reports their positions. */
export class YamlLocator implements Locator {
  constructor(readonly parsed: ParsedYaml) {}

  get file(): string {
    return this.parsed.file;
  }

  private find(path: readonly PathSegment[]): Found {
    const { isAlias, isMap, isSeq } = yamlModule();
    const { doc } = this.parsed;
    let node = doc.contents as Node | null;
    let key: Node | null = null;
    let depth = 0;
    for (const segment of path) {
      if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
      let next: Node | null | undefined;
      let nextKey: Node | null = null;
      if (isMap(node)) {
        const pair = this.pairOf(node, String(segment));
        next = pair ? ((pair.value as Node | null) ?? null) : undefined;
        nextKey = pair ? (pair.key as Node) : null;
        // A key written with no value (`timeout:`) still has a position: the key's.
        if (pair && next === null) next = nextKey;
      } else if (isSeq(node) && typeof segment === 'number') {
        next = (node.items[segment] as Node | null | undefined) ?? undefined;
      }
      if (next === undefined || next === null) break;
      node = next;
      key = nextKey;
      depth++;
    }
    return { node, key, depth };
  }

  /** The pair for `key` in a mapping, looking through `<<` merge keys (the merged-in mapping holds it). */
  private pairOf(map: YAMLMap, key: string, depth = 0): Pair | undefined {
    const { isAlias, isMap, isScalar, isSeq } = yamlModule();
    const own = map.items.find((item) => isScalar(item.key) && typeof item.key.value !== 'symbol' && String(item.key.value) === key);
    if (own || depth > 10) return own;
    for (const item of map.items) {
      if (!isScalar(item.key) || (typeof item.key.value !== 'symbol' && item.key.value !== '<<')) continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const target = isAlias(source) ? source.resolve(this.parsed.doc) : source;
        const found = isMap(target) ? this.pairOf(target, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Line and column of a character offset in the file. */
  position(offset: number): SourceLocation {
    const { line, col } = this.parsed.lineCounter.linePos(offset);
    return { file: this.parsed.file, line, col };
  }

  /** Where the value at `path` is written (its key with `key: true`); nearest ancestor if absent. */
  locate(path: readonly PathSegment[], options: { key?: boolean } = {}): SourceLocation {
    const found = this.find(path);
    const target = options.key && found.key && found.depth === path.length ? found.key : found.node;
    return this.position(target?.range?.[0] ?? 0);
  }

  /** True when every segment of `path` is written in the file. */
  has(path: readonly PathSegment[]): boolean {
    return this.find(path).depth === path.length;
  }

  /** Where character `offset` of the string at `path` is written (see scalar-offset.ts). */
  locateInString(path: readonly PathSegment[], value: string, offset: number): SourceLocation {
    const found = this.find(path);
    const node = found.depth === path.length ? found.node : null;
    const range = node?.range;
    if (!range) return this.locate(path);
    const plain = yamlModule().isScalar(node) && node.type === 'PLAIN';
    return this.position(scalarOffset(this.parsed.text, { start: range[0], end: range[1], plain }, value, offset));
  }
}
