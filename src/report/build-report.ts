/**
 * Builds the self-contained HTML report of a run: one file, no network, the report's own
 * inline style and script allowed by hash and nothing else, every value escaped, output
 * cut to head and tail within a fixed budget.
 */
import { extendedColourRules } from './ansi-palette.js';
import { assertInlineSafe, contentSecurityPolicy, escapeAttr, escapeText } from './html.js';
import { planBudget } from './log-budget.js';
import type { LogExcerpt } from './log-excerpt.js';
import { PositionRules } from './position-rules.js';
import type { ReportLog, ReportSource } from './read-run.js';
import { renderFooter, renderHeader, renderNotices, renderRunDetails } from './render-header.js';
import { renderStepList, stepAnchor } from './render-steps.js';
import { renderTimeline } from './render-timeline.js';
import { buildReportModel, type ReportModel, type StepView } from './report-model.js';
import { REPORT_SCRIPT } from './report-script.js';
import { REPORT_STYLE } from './report-style.js';

/** Options of {@link buildReport}. */
export interface BuildReportOptions {
  /** The report's time (default now): a live run's bars end there. */
  now?: number;
}

/** The report of a run as one HTML document (logs are read first, each within its share). */
export async function buildReport(source: ReportSource, options: BuildReportOptions = {}): Promise<string> {
  const model = buildReportModel(source, options.now ?? Date.now());
  const places = new PositionRules();
  const usedColours = new Set<string>();
  const views = [...model.steps, ...model.finallySteps];
  const important = importantLogs(views);
  const budget = planBudget(source.logs.length, important.size);
  const excerpts = new Map(
    await Promise.all(source.logs.map(async (log) => [log, await log.excerpt(important.has(log) ? budget.important : budget.other).catch((error: unknown) => toError(error))] as const)),
  );
  const ctx = {
    runId: model.runId,
    usedColours,
    excerptOf: (log: ReportLog): LogExcerpt => {
      const excerpt = excerpts.get(log);
      if (excerpt === undefined || excerpt instanceof Error) throw excerpt ?? new Error('log not read');
      return excerpt;
    },
  };
  const anchors = new Map(views.map((v) => [v.step.stepId, stepAnchor(v)]));
  const body = [
    renderHeader(model),
    '<nav class="tools" id="tools" hidden><button type="button" data-open="yes">Expand all</button><button type="button" data-open="no">Collapse all</button></nav>',
    renderTimeline(model.timeline, places, anchors),
    renderStepList('steps', 'Steps', model.steps, ctx),
    renderStepList('finally', 'Finally', model.finallySteps, ctx),
    renderNotices(model),
    renderRunDetails(model),
    renderFooter(model),
  ].join('\n');
  const style = assertInlineSafe('style', `${REPORT_STYLE}\n${places.text()}\n${extendedColourRules(usedColours)}`);
  const script = assertInlineSafe('script', REPORT_SCRIPT);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(style, script))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="stepwise">
<title>${escapeText(documentTitle(model))}</title>
<style>${style}</style>
</head>
<body>
<div class="page">
${body}
</div>
<script>${script}</script>
</body>
</html>
`;
}

/** Logs shown at full size: those of failed or unfinished steps and failed rollbacks. */
function importantLogs(views: readonly StepView[]): Set<ReportLog> {
  const logs = new Set<ReportLog>();
  for (const view of views) {
    if (view.open && view.runLog) logs.add(view.runLog);
    const rb = view.step.rollback;
    if (rb && rb.status !== 'succeeded' && view.rollbackLog) logs.add(view.rollbackLog);
  }
  return logs;
}

function documentTitle(model: ReportModel): string {
  return `${model.outcome.title} · ${model.runbook} · ${model.runId} · stepwise report`;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
