/**
 * The runbook's and each step's `description` for the report. The journal records them
 * (`run.started`, `step.started`); only for runs journaled before it did is the runbook copy
 * read, and only when it mentions a description at all.
 */
import type { EngineEvent } from '../engine/events.js';
import { runbookNotesFromYaml } from './runbook-notes-yaml.js';

/** Descriptions from the runbook a run used. */
export interface RunbookNotes {
  description: string | undefined;
  /** Step id → its description. */
  steps: Map<string, string>;
}

/** Descriptions from the journal, else from the runbook copy's text. */
export function runbookNotes(events: readonly EngineEvent[], runbookText: string | undefined): RunbookNotes {
  const notes: RunbookNotes = { description: undefined, steps: new Map() };
  for (const event of events) {
    if (event.type === 'run.started' && event.description !== undefined) notes.description ??= event.description.trim();
    if (event.type === 'step.started' && event.description !== undefined) notes.steps.set(event.stepId, event.description.trim());
  }
  const recorded = notes.description !== undefined || notes.steps.size > 0;
  if (recorded || runbookText === undefined || !runbookText.includes('description')) return notes;
  return runbookNotesFromYaml(runbookText);
}
