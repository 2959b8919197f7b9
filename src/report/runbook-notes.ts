/**
 * What the report shows from the runbook copy beyond the journal: the runbook's and each
 * step's `description`. Best effort: a copy that is missing or does not parse gives none
 * (the journal alone still makes a complete report).
 */
import { parse } from 'yaml';

/** Descriptions from the runbook a run used. */
export interface RunbookNotes {
  description: string | undefined;
  /** Step id → its description. */
  steps: Map<string, string>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads descriptions from a runbook's text. */
export function runbookNotes(text: string | undefined): RunbookNotes {
  const notes: RunbookNotes = { description: undefined, steps: new Map() };
  if (text === undefined) return notes;
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false, uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return notes;
  }
  if (!isRecord(doc)) return notes;
  if (typeof doc.description === 'string') notes.description = doc.description.trim();
  for (const list of [doc.steps, doc.finally]) {
    if (!Array.isArray(list)) continue;
    for (const step of list) {
      if (isRecord(step) && typeof step.id === 'string' && typeof step.description === 'string') notes.steps.set(step.id, step.description.trim());
    }
  }
  return notes;
}
