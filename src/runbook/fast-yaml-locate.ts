/**
 * The Locator of the fast parser: the same lookups as YamlLocator (yaml-locate.ts), step for
 * step — through aliases and `<<` merge keys, falling back to the nearest written ancestor —
 * over the index built from js-yaml's events, so both report the same line:col.
 */
import type { SourceLocation } from '../errors/location.js';
import { FastNodes, Kind, NONE } from './fast-yaml-nodes.js';
import { nodeStart } from './fast-yaml-text.js';
import { LinePositions } from './line-positions.js';
import type { Locator, PathSegment } from './locator.js';
import { scalarOffset } from './scalar-offset.js';

interface Found {
  node: number;
  key: number;
  /** How many segments of the path were found. */
  depth: number;
}

/** A key's place: the mapping that writes it and the key's index among its children. */
interface Entry {
  map: number;
  index: number;
}

/** Finds nodes of a file read by the fast parser. */
export class FastLocator implements Locator {
  private readonly lines: LinePositions;

  constructor(
    file: string,
    private readonly text: string,
    private readonly nodes: FastNodes,
    private readonly root: number,
  ) {
    this.lines = new LinePositions(file, text);
  }

  private find(path: readonly PathSegment[]): Found {
    const { nodes } = this;
    let node = this.root;
    let key = NONE;
    let depth = 0;
    for (const segment of path) {
      if (nodes.kind[node] === Kind.ALIAS) node = nodes.target[node] as number;
      let next = NONE;
      let nextKey = NONE;
      if (node !== NONE && nodes.kind[node] === Kind.MAPPING) {
        const entry = this.entryOf(node, String(segment));
        if (entry) {
          nextKey = nodes.child(entry.map, entry.index);
          // A key written alone (`{ a }`) still has a position: the key's.
          next = nodes.child(entry.map, entry.index + 1);
          if (next === NONE) next = nextKey;
        }
      } else if (node !== NONE && nodes.kind[node] === Kind.SEQUENCE && typeof segment === 'number') {
        next = nodes.child(node, segment);
      }
      if (next === NONE) break;
      node = next;
      key = nextKey;
      depth++;
    }
    return { node, key, depth };
  }

  /** Where `key` is written for a mapping, looking through `<<` merges as YamlLocator does. */
  private entryOf(map: number, key: string, depth = 0): Entry | undefined {
    const { nodes } = this;
    const count = nodes.size[map] as number;
    for (let index = 0; index < count; index += 2) {
      const written = nodes.child(map, index);
      if (nodes.merge[written] === 0 && this.isNamed(written, key)) return { map, index };
    }
    if (depth > 10) return undefined;
    for (let index = 0; index < count; index += 2) {
      const written = nodes.child(map, index);
      if (nodes.merge[written] === 0 && !this.isNamed(written, '<<')) continue;
      const value = nodes.child(map, index + 1);
      const sources = value !== NONE && nodes.kind[value] === Kind.SEQUENCE ? Array.from({ length: nodes.size[value] as number }, (_, i) => nodes.child(value, i)) : [value];
      for (const source of sources) {
        const target = source !== NONE && nodes.kind[source] === Kind.ALIAS ? (nodes.target[source] as number) : source;
        const found = target !== NONE && nodes.kind[target] === Kind.MAPPING ? this.entryOf(target, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  /** True when key `id` is named `name`: a plain key's text is its name (to its close, blanks before the `:` aside). */
  private isNamed(id: number, name: string): boolean {
    const stored = this.nodes.name(id);
    if (stored !== undefined) return stored === name;
    const start = nodeStart(this.text, this.nodes, id);
    let end = this.nodes.close[id] as number;
    while (end > start && (this.text[end - 1] === ' ' || this.text[end - 1] === '\t')) end--;
    return end - start === name.length && this.text.startsWith(name, start);
  }

  /** Where the value at `path` is written (its key with `key: true`); nearest ancestor if absent. */
  locate(path: readonly PathSegment[], options: { key?: boolean } = {}): SourceLocation {
    const found = this.find(path);
    const target = options.key && found.key !== NONE && found.depth === path.length ? found.key : found.node;
    return this.lines.position(target === NONE ? 0 : nodeStart(this.text, this.nodes, target));
  }

  /** Where character `offset` of the string at `path` is written (see scalar-offset.ts). */
  locateInString(path: readonly PathSegment[], value: string, offset: number): SourceLocation {
    const found = this.find(path);
    const node = found.depth === path.length ? found.node : NONE;
    if (node === NONE) return this.locate(path);
    const { nodes, text } = this;
    const start = nodeStart(text, nodes, node);
    const first = text.charAt(start);
    const kind = nodes.kind[node];
    const plain = kind === Kind.EMPTY || (kind === Kind.SCALAR && first !== '"' && first !== "'" && first !== '|' && first !== '>');
    const end = Math.max(start, nodes.close[node] as number);
    return this.lines.position(scalarOffset(text, { start, end, plain }, value, offset));
  }
}
