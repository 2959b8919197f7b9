/**
 * What `stepwise rollback` would do, for `--dry-run` and for the question asked on a
 * terminal: each rollback newest first, on its hosts in the order visited, with its command
 * resolved from the run's own params and outputs (secrets `***`); then the finally steps.
 */
import { formatDuration } from '../runbook/durations.js';
import { sanitize, type Style } from '../reporters/terminal-style.js';
import type { Runbook } from '../runbook/model.js';
import type { CompensationEntry } from './continue-preview.js';
import { commandsOn, type PlanCommand } from './plan-model.js';
import { commandJson } from './plan-json.js';
import type { PlanResolver } from './plan-resolve.js';
import { commandLines } from './plan-step.js';

/** The compensation of one run, resolved for display. */
export interface CompensationPreview {
  runId: string;
  runbook: string;
  file: string;
  compensate: Array<{ stepId: string; targets: string[]; commands: PlanCommand[]; timeoutMs: number }>;
  /** Finally steps, which run after the compensation. */
  finally: string[];
}

/** Resolves the rollback commands of `entries` with what the run knows. */
export function compensationPreview(runId: string, runbook: Runbook, entries: CompensationEntry[], resolver: PlanResolver): CompensationPreview {
  return {
    runId,
    runbook: runbook.name,
    file: runbook.file,
    compensate: entries.map(({ step, targets }) => ({
      stepId: step.id,
      targets: targets.map((t) => t.name),
      commands: step.rollback ? commandsOn(step.rollback.command, targets, resolver) : [],
      timeoutMs: step.rollback?.command.timeoutMs ?? 0,
    })),
    finally: runbook.finally.map((s) => s.id),
  };
}

const NOTHING = (runId: string) => `nothing to undo: no step of run ${runId} has a rollback still to run`;

/** The preview as text lines. */
export function formatCompensation(preview: CompensationPreview, style: Style): string[] {
  if (preview.compensate.length === 0) return [NOTHING(preview.runId)];
  const lines = [
    `${style.bold(`Rollback of run ${preview.runId} (${sanitize(preview.runbook)})`)}`,
    style.dim('Would compensate, newest first, one host at a time; *** marks a secret.'),
    '',
  ];
  preview.compensate.forEach((entry, i) => {
    const hosts = entry.targets.join(', then ');
    lines.push(`${String(i + 1).padStart(3)}. ${style.bold(entry.stepId)}  ${style.dim(`on ${hosts}; timeout ${formatDuration(entry.timeoutMs)}`)}`);
    lines.push(...commandLines('rollback', entry.commands, style));
  });
  if (preview.finally.length > 0) lines.push('', style.dim(`Then the finally steps, in order: ${preview.finally.join(', ')}`));
  return lines;
}

/** The preview as one JSON document. */
export function compensationJson(preview: CompensationPreview): string {
  const document = {
    runId: preview.runId,
    runbook: preview.runbook,
    file: preview.file,
    nothingToUndo: preview.compensate.length === 0,
    compensate: preview.compensate.map((entry) => ({
      stepId: entry.stepId,
      targets: entry.targets,
      timeoutMs: entry.timeoutMs,
      commands: entry.commands.map(commandJson),
    })),
    finally: preview.compensate.length === 0 ? [] : preview.finally,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
