/**
 * The nodes of the fast parser's position index, stored column-wise in typed arrays: a 10 MB
 * runbook has over half a million nodes, and an object per node cost more in garbage
 * collection than js-yaml spent parsing. A node is its number (0, 1, …); NONE is no node.
 */
import { IntList } from './int-list.js';

/** No node (a key written alone has no value; a missing alias target). */
export const NONE = -1;

/** What a node turned out to be; EMPTY is a value written as nothing (`key:`). */
export const Kind = { EMPTY: 0, SCALAR: 1, MAPPING: 2, SEQUENCE: 3, ALIAS: 4 } as const;

/** Roughly how many characters of a runbook make one node; sizes the first allocation so it seldom grows. */
const CHARS_PER_NODE = 12;

/** The table of nodes and of their children. */
export class FastNodes {
  /** Nodes in the table. */
  count = 0;
  /** Where js-yaml began composing each node: at it, or at separation space, comments and properties before it. */
  open: Int32Array<ArrayBuffer>;
  /** Where js-yaml finished it. */
  close: Int32Array<ArrayBuffer>;
  /** A Kind. */
  kind: Uint8Array<ArrayBuffer>;
  /** 1 for a `<<` key that merges. */
  merge: Uint8Array<ArrayBuffer>;
  /** 1 when the node is or holds an alias. */
  hasAlias: Uint8Array<ArrayBuffer>;
  /** 1 for a plain (unquoted) scalar that is a string: as a key (one line), its text is its value. */
  plain: Uint8Array<ArrayBuffer>;
  /** For an alias, the anchored node it names. */
  target: Int32Array<ArrayBuffer>;
  /** Where a collection's children start in `children`, and how many there are. */
  first: Int32Array<ArrayBuffer>;
  size: Int32Array<ArrayBuffer>;
  /** A sequence's items; a mapping's keys, each followed by its value (NONE for a key written alone, `{ a }`). */
  readonly children: IntList;
  /** Names of mapping keys that are not plain strings (`String` of the value); a plain key's name is its text. */
  private readonly names = new Map<number, string>();

  constructor(textLength: number) {
    const capacity = Math.max(64, Math.ceil(textLength / CHARS_PER_NODE));
    this.open = new Int32Array(capacity);
    this.close = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.merge = new Uint8Array(capacity);
    this.hasAlias = new Uint8Array(capacity);
    this.plain = new Uint8Array(capacity);
    this.target = new Int32Array(capacity);
    this.first = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
    this.children = new IntList(capacity);
  }

  /** Adds a node opened at `open`; returns its number. Fields not set here start at 0. */
  add(open: number): number {
    const id = this.count++;
    if (id === this.open.length) this.grow();
    this.open[id] = open;
    this.target[id] = NONE;
    return id;
  }

  /** Records the name of key `id` unless it is a plain string (most keys: their text says it, and storing a million names costs). */
  setName(id: number, name: string): void {
    if (this.plain[id] === 0) this.names.set(id, name);
  }

  /** The stored name of key `id`; undefined for a plain key (read its text). */
  name(id: number): string | undefined {
    return this.names.get(id);
  }

  /** Stores `count` entries of `list` from `from` as the children of `id`. */
  setChildren(id: number, list: ArrayLike<number>, from: number, count: number): void {
    const pool = this.children;
    pool.reserve(pool.length + count);
    this.first[id] = pool.length;
    this.size[id] = count;
    for (let i = 0; i < count; i++) pool.values[pool.length++] = list[from + i] as number;
  }

  /** Child `index` of `id`, or NONE. */
  child(id: number, index: number): number {
    return index >= 0 && index < (this.size[id] as number) ? (this.children.values[(this.first[id] as number) + index] as number) : NONE;
  }

  private grow(): void {
    const size = this.open.length * 2;
    const int = (old: Int32Array<ArrayBuffer>) => {
      const bigger = new Int32Array(size);
      bigger.set(old);
      return bigger;
    };
    const byte = (old: Uint8Array<ArrayBuffer>) => {
      const bigger = new Uint8Array(size);
      bigger.set(old);
      return bigger;
    };
    this.open = int(this.open);
    this.close = int(this.close);
    this.target = int(this.target);
    this.first = int(this.first);
    this.size = int(this.size);
    this.kind = byte(this.kind);
    this.merge = byte(this.merge);
    this.hasAlias = byte(this.hasAlias);
    this.plain = byte(this.plain);
  }
}
