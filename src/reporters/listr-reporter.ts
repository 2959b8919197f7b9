/**
 * The TTY view (SPEC §7, ARCHITECTURE §4): listr2 draws, the engine decides. Events update
 * plain state synchronously; drawing is queued, so a running step is drawn live by
 * listr2 and, when it ends, replaced by a permanent result line. Rollbacks and `finally`
 * get their own sections; the run ends with a summary that says what to type next.
 */
import { figures } from 'listr2';
import type { Phase, StepFinishedEvent } from '../engine/events.js';
import { LiveItem, type ItemKind } from './listr-item.js';
import { rollbackResultLines, stepResultLines } from './listr-format.js';
import { drawItem } from './listr-session.js';
import { createStyle, sanitize, type Style } from './listr-style.js';
import { summaryLines, type RunFacts } from './listr-summary.js';
import type { Reporter } from './reporter.js';

/** Where and how the live view draws. */
export interface ListrReporterOptions {
  /** The terminal to draw on (the CLI picks this view only for a TTY). */
  stream: NodeJS.WriteStream;
  /** Colour or not (`NO_COLOR`); cursor movement is used either way. */
  color: boolean;
  /** Held while a frame is drawn (default process.stderr). */
  errorStream?: NodeJS.WriteStream;
  /** Output lines shown under a running step (default 5). */
  outputLines?: number;
  /** Titles and output are pushed to listr2 at most this often (ms, default 150). */
  refreshMs?: number;
}

/** The TTY reporter, plus a way for prompts to borrow the terminal. */
export interface LiveView extends Reporter {
  /** Stops live drawing of the running item; resolves once everything queued is on screen. */
  pause(): Promise<void>;
  /** Waits until listr2 has finished drawing. */
  close(): Promise<void>;
}

const itemKey = (phase: Phase, stepId: string) => `${phase}:${stepId}`;

/** Creates the listr2-backed TTY reporter. */
export function createListrReporter(options: ListrReporterOptions): LiveView {
  const style: Style = createStyle(options.color);
  const stream = options.stream;
  const config = { stream, errorStream: options.errorStream ?? process.stderr, style, refreshMs: options.refreshMs ?? 150 };
  const tailLines = options.outputLines ?? 5;
  const items = new Map<string, LiveItem>();
  const facts: RunFacts = { runbook: '', mode: 'run', rollbacks: 0, started: 0, resumed: false };
  let chain: Promise<void> = Promise.resolve();
  let live = true;
  let section: 'steps' | 'rollback' | 'finally' = 'steps';
  let current: LiveItem | undefined;

  /** Queues drawing work; a renderer failure turns live drawing off rather than breaking the run. */
  const enqueue = (work: () => void | Promise<void>) => {
    chain = chain.then(work).catch((error: unknown) => {
      live = false;
      stream.write(`stepwise: the live view failed (${error instanceof Error ? error.message : String(error)}); showing results only\n`);
    });
  };
  const print = (lines: string[]) => enqueue(() => void stream.write(lines.map((l) => `${l}\n`).join('')));
  const indent = () => (section === 'steps' ? '' : '  ');

  const enterSection = (next: 'rollback' | 'finally') => {
    if (section === next) return;
    section = next;
    print(['', style.bold(next === 'rollback' ? `${figures.arrowLeft} Rollback: undoing what was done, newest first` : 'Finally')]);
  };

  const start = (kind: ItemKind, phase: Phase, stepId: string, name: string, targets: string[], maxAttempts: number) => {
    const item = new LiveItem({ kind, stepId, name, targets, maxAttempts, tailLines, perHost: kind !== 'rollback' });
    items.get(itemKey(phase, stepId))?.stopDrawing();
    items.set(itemKey(phase, stepId), item);
    current = item;
    enqueue(async () => {
      if (!live || item.isStopped) return;
      await drawItem(item, config);
    });
    return item;
  };

  const stepEnded = (e: StepFinishedEvent) => {
    const item = items.get(itemKey(e.phase, e.stepId));
    items.delete(itemKey(e.phase, e.stepId));
    item?.finish(e);
    if (e.phase === 'run' && e.status !== 'skipped') facts.started++;
    print(stepResultLines(e, item, style, indent()));
  };

  return {
    onRunBegin: (e) => {
      Object.assign(facts, { runbook: e.runbook, mode: e.mode, resumed: e.resumed });
      const verb = e.mode === 'rollback' ? 'Rolling back' : e.resumed ? 'Resuming' : 'Running';
      print([`${style.bold(`${verb} ${sanitize(e.runbook)}`)}  ${style.dim(`run ${e.runId}`)}`]);
    },
    onStepBegin: (e) => {
      if (e.phase === 'finally') enterSection('finally');
      start(e.phase === 'finally' ? 'finally' : 'step', e.phase, e.stepId, e.name, e.targets, e.maxAttempts);
      if (e.targets.length > 1) items.get(itemKey(e.phase, e.stepId))?.startAll();
    },
    onBatchBegin: (e) => items.get(itemKey(e.phase, e.stepId))?.startBatch(e.targets, e.batch),
    onStepOutput: (e) => items.get(itemKey(e.phase, e.stepId))?.output(e.lines, e.host),
    onStepRetry: (e) => items.get(itemKey(e.phase, e.stepId))?.retrying(e.attempt, e.maxAttempts, e.delayMs, e.error, e.host),
    onStepEnd: (e) => {
      if (e.phase === 'finally') enterSection('finally');
      stepEnded(e);
    },
    onRollbackBegin: (e) => {
      enterSection('rollback');
      facts.rollbacks++;
      start('rollback', 'rollback', e.stepId, e.stepId, e.targets, 1);
    },
    onRollbackEnd: (e) => {
      const item = items.get(itemKey('rollback', e.stepId));
      items.delete(itemKey('rollback', e.stepId));
      item?.finish(e);
      print(rollbackResultLines(e, item, style, indent()));
    },
    onNotice: (e) => print([`${indent()}${e.level === 'warn' ? style.yellow(`${figures.warning} ${sanitize(e.message)}`) : style.dim(sanitize(e.message))}`]),
    onDecision: (e) => print([`${indent()}${style.cyan(`${figures.arrowRight} you chose ${e.choice} at ${e.stepId}${e.note ? `: ${sanitize(e.note)}` : ''}`)}`]),
    onRunEnd: (e) => print(summaryLines(e, facts, style)),
    pause: () => {
      current?.stopDrawing();
      return chain;
    },
    close: async () => {
      for (const item of items.values()) item.stopDrawing();
      await chain;
    },
  };
}
