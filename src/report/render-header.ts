/**
 * The top and bottom of the report: what ran, how it ended, who ran it where and when,
 * its params and command line; notices and journal damage; and what to do next.
 */
import { formatDuration } from './format.js';
import { escapeText, timeTag } from './html.js';
import type { ReportModel } from './report-model.js';


const sessionWord = (s: ReportModel['sessions'][number]): string => (s.mode === 'rollback' ? 'stepwise rollback' : s.resumed ? 'resume' : 'run');

/** Run statuses in the words the terminal uses (never internal identifiers). */
const STATUS_WORDS: Record<string, string> = { succeeded: 'succeeded', failed: 'failed', rolledBack: 'rolled back', rollbackFailed: 'rollback failed', cancelled: 'interrupted' };

/** Header: runbook, outcome, facts. */
export function renderHeader(m: ReportModel): string {
  const first = m.sessions[0];
  const by = first ? `${first.user ? `${first.user}@` : ''}${first.host} (pid ${first.pid})` : 'not recorded';
  let html = `<header class="top t-${m.outcome.tone}"><p class="brand">stepwise run report</p>`;
  html += `<h1>${escapeText(m.runbook)}</h1>`;
  if (m.description) html += `<p class="desc">${escapeText(m.description)}</p>`;
  html += `<div class="outcome t-${m.outcome.tone}" role="status"><strong>${escapeText(m.outcome.title)}</strong><span>${escapeText(m.outcome.detail)}</span></div>`;
  html += '<dl class="facts">';
  html += `<dt>Run</dt><dd><code>${escapeText(m.runId)}</code></dd>`;
  html += `<dt>Started</dt><dd>${timeTag(m.startedAt)}</dd>`;
  html += `<dt>Duration</dt><dd>${escapeText(m.durationMs === undefined ? '-' : formatDuration(m.durationMs))}${m.state === 'running' ? ' so far' : ''}</dd>`;
  html += `<dt>Exit code</dt><dd>${escapeText(m.exitCode === undefined ? '-' : String(m.exitCode))}</dd>`;
  html += `<dt>By</dt><dd>${escapeText(by)}</dd>`;
  html += `<dt>Runbook file</dt><dd><code>${escapeText(m.file ?? '-')}</code></dd>`;
  html += '</dl></header>';
  return html;
}

/** Params, the command line and the sessions of the run. */
export function renderRunDetails(m: ReportModel): string {
  let html = '<section id="run" aria-labelledby="run-h"><h2 id="run-h">Run</h2>';
  if (m.params.length > 0) {
    const rows = m.params.map((p) => `<tr><th scope="row"><code>${escapeText(p.name)}</code></th><td><code>${escapeText(p.secret ? '***' : String(p.value))}</code>${p.secret ? ' <span class="muted">(secret)</span>' : ''}</td></tr>`);
    html += `<h3>Params</h3><div class="scroll"><table class="kv">${rows.join('')}</table></div>`;
  } else {
    html += '<h3>Params</h3><p class="muted">None.</p>';
  }
  if (m.commandLine) {
    html += `<h3>Command line</h3><pre class="cmd">${escapeText(m.commandLine)}</pre><p class="muted small">Rebuilt from the journal (the typed command is not stored, as it may hold secrets): params include defaults, secrets show as ***.</p>`;
  }
  if (m.sessions.length > 0) {
    const items = m.sessions.map(
      (s) => `<li><strong>${escapeText(sessionWord(s))}</strong> ${timeTag(s.startedAt)} by ${escapeText(`${s.user ? `${s.user}@` : ''}${s.host}`)} (pid ${s.pid})${s.status ? ` → ${escapeText(STATUS_WORDS[s.status] ?? s.status)}` : ''}${s.finishedAt ? ` at ${timeTag(s.finishedAt)}` : ''}</li>`,
    );
    html += `<h3>Sessions</h3><ol class="sessions">${items.join('')}</ol>`;
  }
  return `${html}</section>`;
}

/** Notices, and what of the journal could not be read. */
export function renderNotices(m: ReportModel): string {
  if (m.notices.length === 0 && m.lost.length === 0 && !m.journalMissing) return '';
  let html = '<section id="notices" aria-labelledby="notices-h"><h2 id="notices-h">Notices</h2><ul class="notices">';
  for (const n of m.notices) {
    html += `<li class="t-${n.level === 'warn' ? 'warn' : 'muted'}"><span class="badge t-${n.level === 'warn' ? 'warn' : 'muted'}">${escapeText(n.level)}</span> ${n.stepId ? `<code>${escapeText(n.stepId)}</code> ` : ''}${escapeText(n.message)} <span class="muted">${timeTag(n.time)}</span></li>`;
  }
  html += '</ul>';
  if (m.journalMissing) html += '<p class="error">The journal of this run is missing; only its meta data could be read.</p>';
  if (m.lost.length > 0) {
    html += `<p class="error">The journal is damaged: ${m.lost.length} record(s) could not be read and are not shown above.</p><ul class="lost">${m.lost.map((l) => `<li>${escapeText(l)}</li>`).join('')}</ul>`;
  }
  return `${html}</section>`;
}

/** What to do next, and when the report was written. */
export function renderFooter(m: ReportModel): string {
  const items = m.advice.map((a) => `<li>${escapeText(a.text)}${a.command ? ` <code class="cmd-inline">${escapeText(a.command)}</code>` : ''}</li>`);
  return `<footer id="next"><h2>Next</h2><ul class="advice">${items.join('')}</ul><p class="muted small">Full logs: <code>stepwise logs ${escapeText(m.runId)}</code>. Report written ${timeTag(m.generatedAt)} by stepwise; all times UTC.</p></footer>`;
}
