/**
 * The timeline as HTML: per session a time axis and one row per step and host; in each row
 * a bar per execution (attempts and the waits between them as segments), the compensation
 * in its own colour, `finally` in its own; every bar and segment has a title with exact times.
 */
import { clockTime, exactTime, formatDuration } from './format.js';
import { escapeAttr, escapeText } from './html.js';
import type { PositionRules } from './position-rules.js';
import type { Bar, Segment, TimelineRow, TimelineSession } from './timeline.js';

const SEGMENT_WORDS: Record<Segment['kind'], string> = {
  ok: 'succeeded', failed: 'failed', timedOut: 'timed out', wait: 'waiting to retry', skipped: 'skipped', running: 'running', unfinished: 'never finished',
};
const BAR_WORDS: Record<Bar['kind'], string> = { run: 'step', finally: 'finally step', rollback: 'rollback' };
const TICKS_MS = [100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 216e5, 432e5, 864e5];

/** Renders every session's timeline; `anchors` maps a step id to its section's id. */
export function renderTimeline(sessions: readonly TimelineSession[], places: PositionRules, anchors: ReadonlyMap<string, string>): string {
  if (sessions.length === 0) return '';
  let html = '<section id="timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>';
  html += legend();
  sessions.forEach((session, index) => {
    html += renderSession(session, index, sessions.length, places, anchors);
  });
  return `${html}</section>`;
}

function legend(): string {
  const items: Array<[string, string]> = [
    ['ok', 'succeeded'], ['failed', 'failed attempt'], ['timedOut', 'timed out'], ['wait', 'waiting to retry'],
    ['rb', 'rollback (compensation)'], ['fin', 'finally'], ['running', 'running / never finished'],
  ];
  return `<ul class="legend">${items.map(([cls, text]) => `<li><span class="swatch ${cls}"></span>${text}</li>`).join('')}</ul>`;
}

function sessionTitle(session: TimelineSession, index: number, count: number): string {
  const what = session.mode === 'rollback' ? 'stepwise rollback' : session.resumed ? 'resume' : 'run';
  return count > 1 ? `Session ${index + 1}: ${what}` : 'Run';
}

function renderSession(session: TimelineSession, index: number, count: number, places: PositionRules, anchors: ReadonlyMap<string, string>): string {
  const span = Math.max(1, session.end - session.start);
  const at = (t: number) => ((t - session.start) / span) * 100;
  let html = `<div class="tl" data-session="${index}">`;
  html += `<div class="tl-head"><strong>${escapeText(sessionTitle(session, index, count))}</strong> <time datetime="${escapeAttr(exactTime(session.start))}" title="${escapeAttr(exactTime(session.start))}">${escapeText(clockTime(session.start))}</time> → <time datetime="${escapeAttr(exactTime(session.end))}" title="${escapeAttr(exactTime(session.end))}">${escapeText(clockTime(session.end))}</time> <span class="muted">(${escapeText(formatDuration(session.end - session.start))})</span></div>`;
  html += `<div class="tl-row tl-axis" aria-hidden="true"><span class="tl-label"></span><div class="tl-track">${ticks(span, at, session.start, places)}</div></div>`;
  for (const row of session.rows) html += renderRow(row, at, places, anchors);
  for (const stepId of session.notStarted) {
    html += `<div class="tl-row notrun" data-step="${escapeAttr(stepId)}">${label(stepId, '', anchors)}<div class="tl-track"><span class="notrun-text">not run</span></div></div>`;
  }
  return `${html}</div>`;
}

function ticks(span: number, at: (t: number) => number, start: number, places: PositionRules): string {
  const step = TICKS_MS.find((t) => span / t <= 6) ?? TICKS_MS[TICKS_MS.length - 1] ?? 864e5;
  let html = '';
  for (let t = 0; t <= span; t += step) {
    // A label near the right edge hangs to the left of its mark, so it never widens the page.
    const where = at(start + t);
    html += `<span class="tick${where > 80 ? ' end' : ''} ${places.place(where)}">+${escapeText(tickLabel(t))}</span>`;
  }
  return html;
}

function tickLabel(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1e3) return `${ms}ms`;
  if (ms < 6e4) return `${ms / 1e3}s`;
  if (ms < 36e5) return ms % 6e4 === 0 ? `${ms / 6e4}m` : `${Math.floor(ms / 6e4)}m${(ms % 6e4) / 1e3}s`;
  return ms % 36e5 === 0 ? `${ms / 36e5}h` : `${Math.floor(ms / 36e5)}h${(ms % 36e5) / 6e4}m`;
}

function label(stepId: string, host: string, anchors: ReadonlyMap<string, string>): string {
  const anchor = anchors.get(stepId);
  const inner = `<span class="sid">${escapeText(stepId)}</span>${host && host !== 'local' ? `<span class="host">${escapeText(host)}</span>` : ''}`;
  return anchor ? `<a class="tl-label" href="#${escapeAttr(anchor)}">${inner}</a>` : `<span class="tl-label">${inner}</span>`;
}

function renderRow(row: TimelineRow, at: (t: number) => number, places: PositionRules, anchors: ReadonlyMap<string, string>): string {
  let html = `<div class="tl-row" data-step="${escapeAttr(row.stepId)}" data-host="${escapeAttr(row.host)}">${label(row.stepId, row.host, anchors)}<div class="tl-track">`;
  for (const bar of row.bars) html += renderBar(row, bar, at, places);
  return `${html}</div></div>`;
}

function renderBar(row: TimelineRow, bar: Bar, at: (t: number) => number, places: PositionRules): string {
  const start = Math.min(...bar.segments.map((s) => s.start));
  const end = Math.max(...bar.segments.map((s) => s.end));
  const last = bar.segments[bar.segments.length - 1];
  const outcome = last ? SEGMENT_WORDS[last.kind] : '';
  const attempts = bar.segments.filter((s) => s.kind !== 'wait').length;
  const tries = bar.maxAttempts > 1 || attempts > 1 ? `, ${attempts} attempt${attempts === 1 ? '' : 's'} of ${bar.maxAttempts}` : '';
  const title = `${BAR_WORDS[bar.kind]} ${row.stepId}${row.host !== 'local' ? ` on ${row.host}` : ''}: ${outcome}${tries}\n${exactTime(start)} → ${exactTime(end)} (${formatDuration(end - start)})`;
  const kind = bar.kind === 'rollback' ? 'rb' : bar.kind === 'finally' ? 'fin' : 'run';
  const width = Math.max(0, end - start);
  let inner = '';
  for (const segment of bar.segments) {
    const left = width > 0 ? ((segment.start - start) / width) * 100 : 0;
    const size = width > 0 ? ((segment.end - segment.start) / width) * 100 : 100;
    inner += `<span class="seg ${segment.kind} ${places.place(left, size)}" title="${escapeAttr(segmentTitle(segment, bar))}"></span>`;
  }
  return `<span class="bar ${kind} ${last?.kind ?? ''} ${places.place(at(start), at(end) - at(start))}" title="${escapeAttr(title)}">${inner}</span>`;
}

function segmentTitle(segment: Segment, bar: Bar): string {
  const what = segment.kind === 'wait' ? 'waiting to retry' : `${segment.attempt !== undefined && segment.attempt > 0 ? `attempt ${segment.attempt}/${bar.maxAttempts} ` : ''}${SEGMENT_WORDS[segment.kind]}`;
  const exit = segment.exitCode !== undefined && segment.exitCode !== null && segment.kind !== 'ok' ? ` (exit ${segment.exitCode})` : '';
  const error = segment.error ? `\n${segment.error.length > 300 ? `${segment.error.slice(0, 300)}…` : segment.error}` : '';
  return `${what}${exit}\n${exactTime(segment.start)} → ${exactTime(segment.end)} (${formatDuration(segment.end - segment.start)})${error}`;
}
