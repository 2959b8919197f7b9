/**
 * Stored runs for report tests, written through the real JournalWriter into a temp state
 * dir: a run whose every value is hostile, and a big-output run.
 */
import { JournalWriter } from '../../src/journal/journal-writer.js';
import type { StateDir } from '../../src/journal/state-dir.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { output, retrying, tick, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted } from './engine-events.js';

/** What hostile output tries to do; the browser test checks none of it happened. */
export const SCRIPT = '<script>window.__pwned=1;document.title="pwned"</script>';
export const IMG = '<img src=x onerror="window.__pwned=2;document.title=\'pwned\'">';
export const END_STYLE = '</style><script>window.__pwned=3</script><style>';
export const QUOTES = `x" onmouseover="window.__pwned=4" data-x='y`;
export const HOST = `web"><svg onload=window.__pwned=5>`;

/** Writes a run: meta, runbook copy, params, then each event through the journal writer. */
export function recordRun(state: StateDir, runId: string, events: EngineEvent[], runbookText = 'name: demo\n'): JournalWriter {
  const writer = JournalWriter.create(state, { runbook: 'demo', file: '/rb/demo.yaml', lock: 'demo', options: { secretParams: ['token'] } }, { runId });
  writer.writeRunbookCopy(runbookText, 'demo.yaml');
  writer.writeParams({ version: `v1${QUOTES}`, token: '***' });
  for (const event of events) writer.onEvent(event);
  writer.close();
  return writer;
}

/** A failed, compensated run in which every value the report shows is hostile. */
export function hostileRun(): { events: EngineEvent[]; runbookText: string } {
  const events: EngineEvent[] = [
    runStarted(['prepare', 'deploy', 'later'], { runbook: `demo${SCRIPT}`, params: { version: QUOTES, token: '***' } }),
    stepStarted('prepare', { name: `Prepare ${IMG}` }),
    output('prepare', [SCRIPT, IMG, END_STYLE, QUOTES, '\u001b[31mred <b>not bold</b>\u001b[0m', '\u001b]8;;javascript:window.__pwned=6\u0007click\u001b]8;;\u0007']),
    output('prepare', [END_STYLE], { stream: 'stderr' }),
    stepFinished('prepare', { outputs: { [`key${QUOTES}`]: `${SCRIPT}${IMG}` } }),
    stepStarted('deploy', { targets: ['web-1', HOST], maxAttempts: 2 }),
    output('deploy', [`${IMG} from a host`], { host: HOST }),
    output('deploy', [`${SCRIPT} from web-1`], { host: 'web-1', stream: 'stderr' }),
    retrying('deploy', 1, { host: HOST, maxAttempts: 2, delayMs: 20, error: `failed: ${QUOTES}${END_STYLE}` }),
    stepFinished('deploy', {
      status: 'failed', exitCode: 1, attempt: 2, durationMs: 300, error: `step "deploy" failed ${IMG}`,
      targets: [
        { target: 'web-1', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 100 },
        { target: HOST, status: 'failed', exitCode: 1, attempt: 2, durationMs: 300, error: `${QUOTES}` },
      ],
    }),
    { type: 'step.decision', stepId: 'deploy', choice: `rollback${IMG}`, note: `${SCRIPT} ${QUOTES}`, time: tick(), runId: 'x' },
    rollbackStarted('deploy', [HOST, 'web-1']),
    output('deploy', [`undo ${SCRIPT}`], { phase: 'rollback', host: HOST }),
    rollbackFinished('deploy', {
      targets: [
        { target: HOST, status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 30 },
        { target: 'web-1', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 30 },
      ],
    }),
    { type: 'run.notice', level: 'warn', message: `notice ${END_STYLE}${QUOTES}`, stepId: 'deploy', time: tick(), runId: 'x' },
    runFinished({ status: 'rolledBack', exitCode: 1, durationMs: 900, error: `deploy failed ${SCRIPT}` }),
  ];
  const runbookText = `name: demo\ndescription: "${SCRIPT.replace(/"/g, '\\"')} ${END_STYLE}"\nsteps:\n  - id: prepare\n    description: "${IMG.replace(/"/g, '\\"')}"\n    run: "true"\n`;
  return { events, runbookText };
}

/** A run of `steps` steps, each printing `linesPerStep` lines of `line`. */
export function bigRun(steps: number, linesPerStep: number, line: string): EngineEvent[] {
  const ids = Array.from({ length: steps }, (_, i) => `s${i}`);
  const chunk = Array.from({ length: 1000 }, () => line);
  return [
    runStarted(ids),
    ...ids.flatMap((id) => [
      stepStarted(id),
      ...Array.from({ length: Math.ceil(linesPerStep / 1000) }, () => output(id, chunk)),
      stepFinished(id, id === ids.at(-1) ? { status: 'failed', exitCode: 1, error: 'boom' } : {}),
    ]),
    runFinished({ status: 'failed', exitCode: 1 }),
  ];
}
