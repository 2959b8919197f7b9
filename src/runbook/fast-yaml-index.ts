/**
 * Builds the fast parser's position index from js-yaml's `listener` events: one `open` and
 * one `close` per node, nested, in document order. js-yaml does not say which node is a key
 * or a value, so each collection is rebuilt from its children and checked against the value
 * js-yaml built. Anything that does not add up — or that the `yaml` package would read
 * otherwise (fast-yaml-differences.ts) — throws FastIndexUnsure out of the parse: the exact
 * parser then reads the file instead.
 */
import type { EventType, State } from 'js-yaml';
import { FastNodes, Kind, NONE } from './fast-yaml-nodes.js';
import { checkAnchorName, checkFlowCollection, checkMappingValue, checkMergeValue, checkProperties, checkScalarEnd, checkTagBeforeLine, fail, MAX_ALIASES, MAX_KEY_CHARS } from './fast-yaml-differences.js';
import { MERGE_TAG } from './fast-yaml-schema.js';
import { contentStart, endsName, markBefore, skipBlanks, skipSeparation } from './fast-yaml-text.js';
import { IntList } from './int-list.js';

/** The loader state a listener reads (the published typings leave out `tag` and `anchor`). */
interface LoaderState {
  position: number;
  kind: string | null;
  result: unknown;
  tag: string | null;
  anchor: string | null;
}

const own = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Collects nodes while js-yaml parses (its `listener`); read `nodes` and `root` afterwards. */
export class FastIndexBuilder {
  readonly nodes: FastNodes;
  root = NONE;
  /** Nodes still open, innermost last, each with the height of `pending` when it opened. */
  private readonly stack = new IntList(64);
  private readonly heights = new IntList(64);
  /** Closed nodes whose parent is still open: an open node's children sit above its height. */
  private readonly pending = new IntList(256);
  /** The values js-yaml built for `pending` (kept only until the parent is checked). */
  private readonly pendingValues: unknown[] = [];
  /** The mapping being paired up: key, value, key, value… (one at a time: children close before parents). */
  private readonly entries = new IntList(64);
  private readonly entryValues: unknown[] = [];
  /** Anchored nodes by name, with their values (to check that an alias names the node js-yaml used). */
  private readonly anchors = new Map<string, { id: number; value: unknown }>();
  /** Where each anchor name is written. */
  private readonly anchorsAt = new Map<string, number>();
  private aliases = 0;

  constructor(private readonly text: string) {
    this.nodes = new FastNodes(text.length);
  }

  /** The `listener` option of js-yaml's `load`. */
  readonly listener = (event: EventType, state: State): void => {
    if (event === 'open') {
      this.stack.push(this.nodes.add(state.position));
      this.heights.push(this.pending.length);
    } else this.close(state as unknown as LoaderState);
  };

  private close(state: LoaderState): void {
    const { nodes } = this;
    let id = this.stack.values[--this.stack.length] as number;
    const height = this.heights.values[--this.heights.length] as number;
    nodes.close[id] = state.position;
    // A plain string keeps the non-specific tag `?`: no property was written.
    const anchorAt = state.anchor !== null || (state.tag !== null && state.tag !== '?') ? checkProperties(this.text, nodes.open[id] as number) : NONE;
    id = this.finish(id, state, height);
    this.pending.length = height;
    if (state.anchor !== null) this.anchor(state.anchor, anchorAt, id, state.result);
    if (this.stack.length === 0) this.root = id;
    else {
      this.pendingValues[this.pending.length] = state.result;
      this.pending.push(id);
    }
  }

  /**
   * Records anchor `name`, written at `at`, for node `id`. js-yaml may read one property twice
   * (first as part of a would-be key): the same place is the same anchor, and the later node
   * wins. A name defined twice is refused: the parsers disagree on which one a nested alias names.
   */
  private anchor(name: string, at: number, id: number, value: unknown): void {
    checkAnchorName(name);
    const earlier = this.anchorsAt.get(name);
    if (earlier !== undefined && earlier !== at) fail('an anchor defined twice');
    this.anchorsAt.set(name, at);
    this.anchors.set(name, { id, value });
  }

  /** Classifies a closed node (its children are `pending` above `height`); returns the node its parent should hold. */
  private finish(id: number, state: LoaderState, height: number): number {
    const { nodes, text } = this;
    switch (state.kind) {
      case 'scalar': {
        // Children of a scalar are only failed attempts at reading it as a mapping key.
        nodes.kind[id] = Kind.SCALAR;
        nodes.merge[id] = state.tag === MERGE_TAG ? 1 : 0;
        nodes.plain[id] = state.tag === '?' ? 1 : 0;
        checkScalarEnd(text, nodes.close[id] as number);
        if (this.pending.length > height && state.tag !== null && state.tag !== '?') checkTagBeforeLine(text, nodes.open[id] as number);
        return id;
      }
      case 'mapping':
      case 'sequence': {
        const pending = this.pending.values;
        const end = this.pending.length;
        // A block-context node read first as a would-be key, then kept: the child is the node.
        const only = end - height === 1 ? (pending[height] as number) : NONE;
        if (only !== NONE && this.pendingValues[height] === state.result) {
          nodes.open[only] = nodes.open[id] as number;
          return only;
        }
        const start = contentStart(text, nodes.open[id] as number);
        if (text[start] === '[' || text[start] === '{') checkFlowCollection(text, start, nodes.close[id] as number);
        if (state.kind === 'mapping') {
          nodes.kind[id] = Kind.MAPPING;
          this.pairUp(state.result as Record<string, unknown>, id, height, end);
        } else {
          nodes.kind[id] = Kind.SEQUENCE;
          this.checkItems(state.result, height, end);
          nodes.setChildren(id, pending, height, end - height);
        }
        for (let i = height; i < end; i++) if (nodes.hasAlias[pending[i] as number] === 1) nodes.hasAlias[id] = 1;
        return id;
      }
      default:
        return this.aliasOrEmpty(id, state);
    }
  }

  /** js-yaml gives an alias no kind, nor a value written as nothing; the source tells them apart. */
  private aliasOrEmpty(id: number, state: LoaderState): number {
    const { nodes, text } = this;
    const at = skipSeparation(text, nodes.open[id] as number);
    if (text[at] !== '*' || (nodes.close[id] as number) <= at) {
      // `yaml` places a tagged or anchored nothing differently: not worth matching.
      if (state.tag !== null || state.anchor !== null) fail('a property on an empty value');
      return id;
    }
    let end = at + 1;
    while (!endsName(text.charCodeAt(end))) end++;
    const target = this.anchors.get(text.slice(at + 1, end));
    nodes.kind[id] = Kind.ALIAS;
    nodes.hasAlias[id] = 1;
    if (++this.aliases > MAX_ALIASES) fail('many aliases');
    // An alias inside an anchored node multiplies on expansion: `yaml` weighs that itself.
    if (!target || !Object.is(target.value, state.result) || nodes.hasAlias[target.id] === 1) fail('an alias not matched, or nested');
    nodes.target[id] = target.id;
    return id;
  }

  /** The items (`pending` from `from` to `to`) must be the sequence's values, in order. */
  private checkItems(value: unknown, from: number, to: number): void {
    if (!Array.isArray(value) || value.length !== to - from) fail('sequence items do not line up');
    for (let i = from; i < to; i++) if (!Object.is(this.pendingValues[i], value[i - from])) fail('sequence items do not line up');
  }

  /** Turns a mapping's children into key, value, key, value… and checks them against its value. */
  private pairUp(value: Record<string, unknown>, id: number, from: number, to: number): void {
    const { nodes, text, entries, entryValues } = this;
    const pending = this.pending.values;
    entries.length = 0;
    for (let i = from; i < to; i++) {
      const child = pending[i] as number;
      const mark = markBefore(text, nodes.open[child] as number);
      if (mark === '?') fail('an explicit key');
      if (mark !== ':') {
        this.closeKey();
        entryValues[entries.length] = this.pendingValues[i];
        entries.push(child);
        entryValues[entries.length] = null;
        entries.push(NONE);
      } else if (entries.length === 0 || entries.values[entries.length - 1] !== NONE) fail('a value without a key');
      else {
        entries.values[entries.length - 1] = child;
        entryValues[entries.length - 1] = this.pendingValues[i];
      }
    }
    this.closeKey();
    this.checkEntries(value);
    nodes.setChildren(id, entries.values, 0, entries.length);
  }

  /**
   * A key whose `:` is followed by nothing js-yaml composed (`a:` then a line at the same
   * indentation) gets an empty value right after the `:`, where `yaml` places it.
   */
  private closeKey(): void {
    const { entries, nodes, text } = this;
    if (entries.length === 0 || entries.values[entries.length - 1] !== NONE) return;
    const colon = skipBlanks(text, nodes.close[entries.values[entries.length - 2] as number] as number);
    if (text[colon] !== ':') return;
    const empty = nodes.add(colon + 1);
    nodes.close[empty] = colon + 1;
    entries.values[entries.length - 1] = empty;
  }

  /** Checks the pairs in `entries` against the mapping's value, and names the keys. */
  private checkEntries(value: Record<string, unknown>): void {
    const { nodes, text, entryValues } = this;
    const entries = this.entries.values;
    const count = this.entries.length;
    let merges = false;
    for (let i = 0; i < count; i += 2) {
      const key = entries[i] as number;
      const written = entries[i + 1] as number;
      const keyValue = entryValues[i];
      if (nodes.kind[key] !== Kind.SCALAR || keyValue === null) fail('a key that is not a plain value');
      if ((nodes.close[key] as number) - (nodes.open[key] as number) > MAX_KEY_CHARS) fail('a very long key');
      const keyName = String(keyValue);
      nodes.setName(key, keyName);
      if (nodes.merge[key] === 1) {
        checkMergeValue(nodes, written);
        merges = true;
        continue;
      }
      if (!own(value, keyName) || !Object.is(value[keyName], entryValues[i + 1])) fail('mapping entries do not line up');
      if (written !== NONE && nodes.kind[written] === Kind.MAPPING && (nodes.size[written] as number) > 0) {
        checkMappingValue(text, nodes.open[written] as number, nodes.open[nodes.child(written, 0)] as number);
      }
    }
    if (!merges && Object.keys(value).length !== count / 2) fail('mapping entries do not line up');
  }
}
