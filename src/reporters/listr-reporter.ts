/**
 * The TTY view (SPEC §7, ARCHITECTURE §4): listr2 draws, the engine decides. Events update
 * plain state synchronously; drawing is queued, so a running step is drawn live by
 * listr2 (with its description and last output lines) and, when it ends, replaced by a
 * permanent result line and the output lines it keeps on screen. Rollbacks and `finally`
 * get their own sections; the run ends with a summary that says what to type next. Lines
 * left on screen are broken at spaces to the terminal's width, never inside a run id.
 */
import { figures } from 'listr2';
import type { EngineEvent, Phase, StepFinishedEvent } from '../engine/events.js';
import { FAILURE_TAIL_LINES } from './failure-tail.js';
import { fitAll } from './fit-width.js';
import { LiveItem, type ItemKind } from './listr-item.js';
import { rollbackResultLines, stepResultLines, type KeptLines } from './listr-format.js';
import { drawItem } from './listr-session.js';
import { createStyle, sanitize, type Style } from './terminal-style.js';
import { summaryLines } from './listr-summary.js';
import { renderMarkdown } from './markdown.js';
import type { Reporter } from './reporter.js';
import { newRunFacts, observe, wasDeclined } from './run-outcome.js';

/** Where and how the live view draws. */
export interface ListrReporterOptions {
  /** The terminal to draw on (the CLI picks this view only for a TTY). */
  stream: NodeJS.WriteStream;
  /** Colour or not (`NO_COLOR`); cursor movement is used either way. */
  color: boolean;
  /** Held while a frame is drawn (default process.stderr). */
  errorStream?: NodeJS.WriteStream;
  /** Output lines shown under a running step (default 5). */
  liveLines?: number;
  /** Output lines a step that succeeded leaves on screen (`--output-lines`, default 5). */
  keepLines?: number;
  /** `--verbose`: finished steps leave all their output on screen. */
  verbose?: boolean;
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

/** Lines `--verbose` keeps per step (beyond that, the screen says how many went to the log only). */
const VERBOSE_LINES = 5000;
/** Lines of a step's description shown while it runs (the plan and --step show all of it). */
const DESCRIPTION_LINES = 4;

const itemKey = (phase: Phase, stepId: string) => `${phase}:${stepId}`;

/** Creates the listr2-backed TTY reporter. */
export function createListrReporter(options: ListrReporterOptions): LiveView {
  const style: Style = createStyle(options.color);
  const stream = options.stream;
  const liveLines = options.liveLines ?? 5;
  const config = { stream, errorStream: options.errorStream ?? process.stderr, style, refreshMs: options.refreshMs ?? 150, liveLines };
  const keepLines = Math.max(0, options.keepLines ?? 5);
  const kept: KeptLines = { succeeded: keepLines, failed: Math.max(keepLines, FAILURE_TAIL_LINES), finally: Math.max(keepLines, 5), all: options.verbose === true };
  const tailLines = kept.all ? VERBOSE_LINES : Math.max(liveLines, kept.failed);
  const columns = () => (stream.columns && stream.columns > 0 ? stream.columns : 100);
  const items = new Map<string, LiveItem>();
  const facts = newRunFacts();
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
  const print = (lines: string[]) => enqueue(() => void stream.write(fitAll(lines, columns()).map((l) => `${l}\n`).join('')));
  const indent = () => (section === 'steps' ? '' : '  ');
  const describe = (markdown: string | undefined, pad: string) =>
    markdown ? renderMarkdown(markdown, { color: style.color, width: columns() - pad.length - 4, indent: pad }).split('\n') : [];

  const enterSection = (next: 'rollback' | 'finally') => {
    if (section === next) return;
    section = next;
    print(['', style.bold(next === 'rollback' ? `${figures.arrowLeft} Rollback: undoing what was done, newest first` : 'Finally')]);
  };

  const start = (kind: ItemKind, phase: Phase, stepId: string, name: string, targets: string[], maxAttempts: number, markdown?: string) => {
    const lines = describe(markdown, '');
    const description = lines.length > DESCRIPTION_LINES ? [...lines.slice(0, DESCRIPTION_LINES - 1), `${(lines[DESCRIPTION_LINES - 1] ?? '').trimEnd()} …`] : lines;
    const item = new LiveItem({ kind, stepId, name, targets, maxAttempts, tailLines, perHost: kind !== 'rollback', ...(description.length > 0 ? { description } : {}) });
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
    print(stepResultLines(e, item, style, indent(), kept, wasDeclined(facts, e.stepId)));
  };
  const seen = (e: EngineEvent) => observe(facts, e);

  return {
    onRunBegin: (e) => {
      seen(e);
      const verb = e.mode === 'rollback' ? 'Rolling back' : e.resumed ? 'Resuming' : 'Running';
      const lines = [`${style.bold(`${verb} ${sanitize(e.runbook)}`)}  ${style.dim(`run ${e.runId}`)}`];
      // The runbook's description once, for a new run: a resume or rollback is read by someone who knows it.
      if (e.mode === 'run' && !e.resumed) lines.push(...describe(e.description, '  '));
      print(lines);
    },
    onStepBegin: (e) => {
      seen(e);
      if (e.phase === 'finally') enterSection('finally');
      start(e.phase === 'finally' ? 'finally' : 'step', e.phase, e.stepId, e.name, e.targets, e.maxAttempts, e.description);
      if (e.targets.length > 1) items.get(itemKey(e.phase, e.stepId))?.startAll();
    },
    onBatchBegin: (e) => items.get(itemKey(e.phase, e.stepId))?.startBatch(e.targets, e.batch),
    onStepOutput: (e) => items.get(itemKey(e.phase, e.stepId))?.output(e.lines, e.host),
    onStepRetry: (e) => items.get(itemKey(e.phase, e.stepId))?.retrying(e.attempt, e.maxAttempts, e.delayMs, e.error, e.host),
    onStepEnd: (e) => {
      seen(e);
      if (e.phase === 'finally') enterSection('finally');
      stepEnded(e);
    },
    onRollbackBegin: (e) => {
      seen(e);
      enterSection('rollback');
      start('rollback', 'rollback', e.stepId, e.stepId, e.targets, 1);
    },
    onRollbackEnd: (e) => {
      const item = items.get(itemKey('rollback', e.stepId));
      items.delete(itemKey('rollback', e.stepId));
      item?.finish(e);
      print(rollbackResultLines(e, item, style, indent(), kept));
    },
    onNotice: (e) => print([`${indent()}${e.level === 'warn' ? style.yellow(`${figures.warning} ${sanitize(e.message)}`) : style.dim(sanitize(e.message))}`]),
    onDecision: (e) => {
      seen(e);
      print([`${indent()}${style.cyan(`${figures.arrowRight} you chose ${e.choice} at ${e.stepId}${e.note ? `: ${sanitize(e.note)}` : ''}`)}`]);
    },
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
