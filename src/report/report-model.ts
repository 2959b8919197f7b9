/**
 * Everything a report shows, gathered from a stored run before any HTML is written: the
 * outcome, who/where/when, params, the command line, each step with its logs, and the
 * timeline. Values stay raw text here; the renderers escape them.
 */
import type { RunSession } from '../journal/index.js';
import type { StepSummary } from '../journal/run-summary.js';
import type { ScalarValue } from '../runbook/model.js';
import type { ReportLog, ReportSource } from './read-run.js';
import { describeOutcome, nextSteps, type Advice, type Outcome, type Tone } from './outcome.js';
import { runbookNotes } from './runbook-notes.js';
import { buildTimeline, type TimelineSession } from './timeline.js';

/** An operator's answer, with who gave it when the journal can tell. */
export interface DecisionView {
  choice: string;
  note?: string;
  time: string;
  who?: string;
}

/** One step as the report shows it. */
export interface StepView {
  index: number;
  step: StepSummary;
  description: string | undefined;
  statusText: string;
  tone: Tone;
  /** Shown expanded: it failed, or did not finish, or its rollback failed. */
  open: boolean;
  outputs: Record<string, string>;
  decisions: DecisionView[];
  runLog: ReportLog | undefined;
  rollbackLog: ReportLog | undefined;
}

/** The whole report. */
export interface ReportModel {
  runId: string;
  runbook: string;
  description: string | undefined;
  file: string | undefined;
  outcome: Outcome;
  state: string;
  exitCode: number | undefined;
  startedAt: string | undefined;
  durationMs: number | undefined;
  sessions: Array<RunSession & { finishedAt?: string; status?: string }>;
  params: Array<{ name: string; value: ScalarValue; secret: boolean }>;
  commandLine: string | undefined;
  steps: StepView[];
  finallySteps: StepView[];
  notices: Array<{ level: string; message: string; stepId?: string; time: string }>;
  lost: string[];
  journalMissing: boolean;
  advice: Advice[];
  timeline: TimelineSession[];
  generatedAt: string;
}

/** Builds the model; `now` is the report's time (a live run's bars end there). */
export function buildReportModel(source: ReportSource, now: number = Date.now()): ReportModel {
  const { run } = source;
  const notes = runbookNotes(run.journal.events, source.runbookText);
  const meta = run.meta;
  const sessions = (meta?.sessions ?? []).map((s, i) => {
    const summary = run.summary.sessions[i];
    return { ...s, ...(summary?.finishedAt ? { finishedAt: summary.finishedAt } : {}), ...(summary?.status ? { status: summary.status } : {}) };
  });
  const outputs = new Map<string, Record<string, string>>();
  for (const event of run.journal.events) if (event.type === 'step.finished') outputs.set(event.stepId, event.outputs ?? {});
  const logs = new Map(source.logs.map((l) => [`${l.phase}:${l.stepId}`, l]));
  const logsOf = (stepId: string, phase: 'run' | 'rollback') => logs.get(`${phase}:${stepId}`);
  const whoAt = (time: string) => whoRan(sessions, time);
  const views = run.summary.steps.map((step, index): StepView => {
    const { statusText, tone } = describeStatus(step, run.state === 'running');
    const rollbackBad = step.rollback !== undefined && step.rollback.status !== 'succeeded';
    return {
      index,
      step,
      description: notes.steps.get(step.stepId),
      statusText,
      tone,
      open: (tone === 'bad' && !step.continueOnError) || step.status === 'started' || rollbackBad,
      outputs: outputs.get(step.stepId) ?? {},
      decisions: step.decisions.map((d) => ({ ...d, ...(whoAt(d.time) ? { who: whoAt(d.time) } : {}) })),
      runLog: logsOf(step.stepId, 'run'),
      rollbackLog: logsOf(step.stepId, 'rollback'),
    };
  });
  const secretNames = new Set(stringList(meta?.options.secretParams));
  const params = Object.entries(run.params ?? firstParams(source) ?? {}).map(([name, value]) => ({ name, value, secret: secretNames.has(name) || value === '***' }));
  return {
    runId: run.runId,
    runbook: run.summary.runbook ?? meta?.runbook ?? '?',
    description: notes.description,
    file: meta?.file ?? run.summary.file,
    outcome: describeOutcome(run),
    state: run.state,
    exitCode: run.summary.sessions.at(-1)?.exitCode,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    sessions,
    params,
    commandLine: meta ? commandLine(meta.file, params, meta.options) : undefined,
    steps: views.filter((v) => v.step.phase === 'run'),
    finallySteps: views.filter((v) => v.step.phase === 'finally'),
    notices: run.summary.notices,
    lost: run.summary.lost.map((l) => `line ${l.line} (${l.bytes} bytes) ${l.reason}: ${l.detail}`),
    journalMissing: !run.journal.exists,
    advice: nextSteps(run),
    timeline: buildTimeline(run.journal.events, run.state === 'running', now),
    generatedAt: new Date(now).toISOString(),
  };
}

function describeStatus(step: StepSummary, live: boolean): { statusText: string; tone: Tone } {
  switch (step.status) {
    case 'succeeded':
      return { statusText: 'succeeded', tone: 'ok' };
    case 'alreadyDone':
      return { statusText: 'already done (its check held; not run)', tone: 'ok' };
    case 'skipped':
      return { statusText: step.error ? `skipped (${step.error})` : 'skipped', tone: 'muted' };
    case 'failed':
      return { statusText: step.continueOnError ? 'failed (tolerated: continueOnError)' : 'failed', tone: step.continueOnError ? 'warn' : 'bad' };
    case 'timedOut':
      return { statusText: step.continueOnError ? 'timed out (tolerated: continueOnError)' : 'timed out', tone: step.continueOnError ? 'warn' : 'bad' };
    case 'started':
      return live ? { statusText: 'running', tone: 'live' } : { statusText: 'started, never finished', tone: 'warn' };
    case 'notStarted':
      return { statusText: 'not run', tone: 'muted' };
  }
}

/** The user of the session that was running at `time`. */
function whoRan(sessions: readonly RunSession[], time: string): string | undefined {
  const session = [...sessions].reverse().find((s) => s.startedAt <= time) ?? sessions[0];
  if (!session) return undefined;
  return session.user ? `${session.user}@${session.host}` : `pid ${session.pid} on ${session.host}`;
}

function firstParams(source: ReportSource): Record<string, ScalarValue> | undefined {
  const started = source.run.journal.events.find((e) => e.type === 'run.started');
  return started?.type === 'run.started' ? started.params : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Shell-quotes a word for display (only when it needs it). */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that starts the same run, rebuilt from what the journal kept (the
 * exact argv is not stored: it may hold secrets). Params include defaults; secrets show `***`.
 */
function commandLine(file: string, params: ReportModel['params'], options: Record<string, unknown>): string {
  const words = ['stepwise', 'run', quote(file)];
  for (const p of params) words.push('--param', quote(`${p.name}=${p.secret ? '***' : String(p.value)}`));
  for (const key of ['inventory', 'limit', 'only', 'from'] as const) {
    const value = options[key];
    if (typeof value === 'string') words.push(`--${key}`, quote(value));
  }
  if (options.noRollback === true) words.push('--no-rollback');
  return words.join(' ');
}
