/**
 * One captured log as HTML: each stored line (`O ` stdout, `E ` stderr, `# ` stepwise's
 * own notes, with `[host] ` for remote targets) becomes one line element; colours are
 * rendered; a note between head and tail says how much was left out and where it is.
 */
import { AnsiRenderer } from './ansi.js';
import { formatBytes, formatCount } from './format.js';
import { escapeText } from './html.js';
import type { LogExcerpt } from './log-excerpt.js';

/** Where the whole log is, for the note on what was left out. */
export interface LogWhere {
  runId: string;
  stepId: string;
  location: string;
}

const KINDS: Record<string, string> = { 'O ': 'o', 'E ': 'e', '# ': 'n' };

/** Renders one stored line; `hosts` are the step's remote targets (a `[x] ` prefix is a host only if x is one). */
function renderLine(raw: string, ansi: AnsiRenderer, hosts: ReadonlySet<string>): string {
  const kind = KINDS[raw.slice(0, 2)];
  if (kind === undefined) return `<span class="l">${ansi.renderLine(raw, '?')}</span>`;
  let rest = raw.slice(2);
  let host = '';
  if (kind !== 'n' && rest.startsWith('[')) {
    const close = rest.indexOf('] ');
    const name = close > 0 ? rest.slice(1, close) : '';
    if (hosts.has(name)) {
      host = `<span class="h">${escapeText(name)}</span>`;
      rest = rest.slice(close + 2);
    }
  }
  const body = kind === 'n' ? escapeText(rest) : ansi.renderLine(rest, `${kind}${host}`);
  return `<span class="l ${kind}">${host}${body}</span>`;
}

/** The `<pre>` of a log excerpt, or a short note when the log is empty. */
export function renderLog(excerpt: LogExcerpt, where: LogWhere, ansi: AnsiRenderer, hosts: ReadonlySet<string>): string {
  if (excerpt.totalBytes === 0) return '<p class="muted">No output.</p>';
  let html = '<pre class="log">';
  for (const line of excerpt.head) html += renderLine(line, ansi, hosts);
  if (excerpt.omittedBytes > 0 || excerpt.tail.length > 0) {
    html += `<span class="l gap">${escapeText(gapNote(excerpt, where))}</span>`;
    // Colour state does not carry over a gap: the terminal state there is unknown.
    ansi.reset();
    for (const line of excerpt.tail) html += renderLine(line, ansi, hosts);
  }
  return `${html}</pre>`;
}

function gapNote(excerpt: LogExcerpt, where: LogWhere): string {
  const left = excerpt.omittedBytes;
  const cut = excerpt.cutLines ? ' (a very long line is cut at the edge)' : '';
  return `… ${formatBytes(left)} (${formatCount(left)} bytes) of ${formatBytes(excerpt.totalBytes)} left out here${cut}. Whole log: stepwise logs ${where.runId} ${where.stepId} — or the file ${where.location}`;
}

/** A one-line description of a log for its summary line. */
export function describeLog(excerpt: LogExcerpt): string {
  const lines = excerpt.head.length + excerpt.tail.length;
  if (excerpt.omittedBytes === 0 && excerpt.tail.length === 0) return `${formatCount(lines)} line${lines === 1 ? '' : 's'}, ${formatBytes(excerpt.totalBytes)}`;
  return `${formatBytes(excerpt.totalBytes)}; first ${formatCount(excerpt.head.length)} and last ${formatCount(excerpt.tail.length)} lines shown`;
}
