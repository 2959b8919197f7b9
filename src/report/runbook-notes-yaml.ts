/**
 * Descriptions read from a runbook copy, for runs journaled before the journal carried them.
 * Best effort: a copy that is missing or odd gives none. Read from yaml's concrete syntax
 * tree (its own parser and scalar resolution) without composing the document, which costs
 * more than the rest of the report. Aliases are not followed.
 */
import { createRequire } from 'node:module';
import type { CST, Parser } from 'yaml';
import type { RunbookNotes } from './runbook-notes.js';

interface YamlParts {
  CST: typeof CST;
  Parser: typeof Parser;
}

/**
 * yaml is loaded only when an old run needs it (its import is the dearest part of a report),
 * and synchronously, so the report stays a plain function. yaml ships CommonJS for Node.
 */
function loadYaml(): YamlParts {
  return createRequire(import.meta.url)('yaml') as YamlParts;
}

type Token = CST.Token | undefined | null;

const SCALARS = new Set(['scalar', 'single-quoted-scalar', 'double-quoted-scalar', 'block-scalar']);

/** Reads descriptions from a runbook's text. */
export function runbookNotesFromYaml(text: string): RunbookNotes {
  const notes: RunbookNotes = { description: undefined, steps: new Map() };
  const yaml = loadYaml();
  const scalarOf = (token: Token): string | undefined => (token && SCALARS.has(token.type) ? yaml.CST.resolveAsScalar(token)?.value : undefined);
  const itemsOf = (token: Token, kind: 'map' | 'seq'): CST.CollectionItem[] | undefined => {
    if (!token) return undefined;
    if (token.type === (kind === 'map' ? 'block-map' : 'block-seq')) return token.items;
    if (token.type === 'flow-collection' && token.start.source === (kind === 'map' ? '{' : '[')) return token.items;
    return undefined;
  };
  const valueOf = (map: readonly CST.CollectionItem[], key: string): Token => map.find((item) => scalarOf(item.key) === key)?.value;
  try {
    for (const token of new yaml.Parser().parse(text)) {
      if (token.type !== 'document') continue;
      const top = itemsOf(token.value, 'map');
      if (!top) break;
      notes.description = scalarOf(valueOf(top, 'description'))?.trim();
      for (const list of ['steps', 'finally']) {
        for (const item of itemsOf(valueOf(top, list), 'seq') ?? []) {
          const step = itemsOf(item.value, 'map');
          const id = step && scalarOf(valueOf(step, 'id'));
          const description = step && scalarOf(valueOf(step, 'description'));
          if (id !== undefined && description !== undefined) notes.steps.set(id, description.trim());
        }
      }
      break; // A runbook is one document.
    }
  } catch {
    // Not readable as YAML: no descriptions.
  }
  return notes;
}
