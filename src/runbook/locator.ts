/**
 * Maps a data path (`['steps', 2, 'retry']`) back to where it is written, using the `yaml`
 * document's node ranges and its LineCounter: the value node, or its key for "unknown key"
 * errors. When the path does not exist (a missing key), the nearest written ancestor is
 * used, so every diagnostic still points into the file.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourceLocation } from '../errors/location.js';

/** One step of a data path: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** What a Locator reads: one parsed file. */
export interface LocatedDocument {
  /** File as shown in diagnostics. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

interface Found {
  node: Node | null;
  key: Node | null;
  /** How many segments of the path were found. */
  depth: number;
}

/** Finds the nodes of one parsed file by data path and reports their line:col. */
export class Locator {
  constructor(private readonly source: LocatedDocument) {}

  /** Where the value at `path` is written (its key with `key: true`); nearest written ancestor if absent. */
  locate(path: readonly PathSegment[], options: { key?: boolean } = {}): SourceLocation {
    const found = this.find(path);
    const target = options.key && found.key && found.depth === path.length ? found.key : found.node;
    return this.position(target?.range?.[0] ?? 0);
  }

  /**
   * Where character `offset` of the string `value` (the scalar at `path`) is written.
   * Quoting and folding make the value differ from the source, so the offset is anchored on
   * the nth `${{` (what expression diagnostics point at), which reads the same in every
   * scalar style; elsewhere only a plain scalar maps offsets one to one.
   */
  locateInString(path: readonly PathSegment[], value: string, offset: number): SourceLocation {
    const found = this.find(path);
    const node = found.depth === path.length ? found.node : null;
    const range = node?.range;
    if (!node || !range) return this.locate(path);
    const plain = isScalar(node) && node.type === 'PLAIN';
    const anchor = value.lastIndexOf('${{', offset);
    if (anchor < 0) return this.position(plain ? range[0] + offset : range[0]);
    const source = this.source.text.slice(range[0], range[1]);
    let nth = 0;
    for (let i = value.indexOf('${{'); i >= 0 && i < anchor; i = value.indexOf('${{', i + 3)) nth++;
    let at = source.indexOf('${{');
    for (let n = 0; n < nth && at >= 0; n++) at = source.indexOf('${{', at + 3);
    return this.position(at < 0 ? range[0] : range[0] + at + (offset - anchor));
  }

  /** Line and column of a character offset in the file. */
  private position(offset: number): SourceLocation {
    const { line, col } = this.source.lineCounter.linePos(offset);
    return { file: this.source.file, line, col };
  }

  private find(path: readonly PathSegment[]): Found {
    const { doc } = this.source;
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
    const own = map.items.find((item) => isScalar(item.key) && typeof item.key.value !== 'symbol' && String(item.key.value) === key);
    if (own || depth > 10) return own;
    for (const item of map.items) {
      if (!isScalar(item.key) || (typeof item.key.value !== 'symbol' && item.key.value !== '<<')) continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const target = isAlias(source) ? source.resolve(this.source.doc) : source;
        const found = isMap(target) ? this.pairOf(target, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }
}
