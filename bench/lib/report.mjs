/**
 * Turns interleaved samples into rows and checks, and renders them as Markdown tables.
 * Ratios are ratios of medians; a check only says whether a ratio target was met.
 */
import { median } from './measure.mjs';

/** Formats milliseconds: `412 ms`, `18.3 s`. */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.abs(ms) >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Formats a range with one unit: `317–329 ms`, `1.31–1.38 s`. */
export function fmtRange(min, max) {
  const a = fmtMs(min);
  const b = fmtMs(max);
  const [av, au] = a.split(' ');
  const [bv, bu] = b.split(' ');
  return au === bu ? `${av}–${bv} ${bu}` : `${a}–${b}`;
}

/** Formats a ratio: `1.42×`. */
export function fmtX(x) {
  return Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x.toFixed(2)}×` : '—';
}

/**
 * Summarises a scenario's variants: one row per variant with median, min–max, ratio to the
 * reference variant, and extra columns (e.g. RSS). Unavailable variants keep their reason.
 */
export function summarise(variants, results, referenceId) {
  const stats = new Map();
  for (const v of variants) {
    const r = results.get(v.id);
    const ok = !r.unavailable && r.samples.length > 0;
    stats.set(v.id, {
      id: v.id, label: v.label,
      median: ok ? median(r.samples) : NaN,
      min: ok ? Math.min(...r.samples) : NaN,
      max: ok ? Math.max(...r.samples) : NaN,
      n: r.samples.length,
      rssKb: r.rss.length ? Math.max(...r.rss) : undefined,
      rssMedianKb: r.rss.length ? median(r.rss) : undefined,
      unavailable: r.unavailable ?? (ok ? undefined : 'no samples'),
    });
  }
  const ref = stats.get(referenceId);
  for (const s of stats.values()) s.ratio = ref ? s.median / ref.median : NaN;
  return stats;
}

/**
 * A check of a measured value against a target. `better` is 'lower' or 'higher'.
 * Returns { label, value, shown, target, met } (met undefined when not measurable).
 */
export function check(label, value, { max, min, unit = '×', note, byMin } = {}) {
  const measurable = Number.isFinite(value);
  const show = (v) => (!Number.isFinite(v) ? 'unavailable' : unit === '×' ? fmtX(v) : unit === 'ms' ? fmtMs(v) : `${v.toFixed(1)} ${unit}`);
  const shown = show(value);
  const shownByMin = byMin === undefined ? undefined : show(byMin);
  let target = '';
  let met;
  const fmt = (t) => (unit === '×' ? fmtX(t) : unit === 'ms' ? fmtMs(t) : `${t} ${unit}`);
  if (max !== undefined) { target = `≤ ${fmt(max)}`; met = measurable ? value <= max : undefined; }
  if (min !== undefined) { target = `≥ ${fmt(min)}`; met = measurable ? value >= min : undefined; }
  return { label, value, shown, shownByMin, target, met, note };
}

/**
 * A check computed twice from a scenario's stats: from medians (the verdict) and from
 * minima (the least disturbed runs: on a shared machine, noise only ever adds time).
 * `f(get)` computes the value from `get(variantId)`.
 */
export function checkOf(stats, label, f, opts = {}) {
  const med = (id) => stats.get(id)?.median ?? NaN;
  const lo = (id) => stats.get(id)?.min ?? NaN;
  return check(label, f(med), { ...opts, byMin: f(lo) });
}

/** Renders one scenario as Markdown. */
export function renderScenario(section) {
  const out = [`### ${section.title}`, ''];
  if (section.unavailable) {
    out.push(`**UNAVAILABLE**: ${section.unavailable}`, '');
    return out.join('\n');
  }
  if (section.description) out.push(section.description, '');
  const extraCols = section.extraColumns ?? [];
  out.push(`| variant | median | min–max | × ${section.refLabel ?? 'ref'} |${extraCols.map((c) => ` ${c.title} |`).join('')}`);
  out.push(`|---|---:|---:|---:|${extraCols.map(() => '---:|').join('')}`);
  for (const s of section.stats.values()) {
    if (s.unavailable) {
      out.push(`| ${s.label} | **unavailable** | ${s.unavailable.replace(/\|/g, '/')} | |${extraCols.map(() => ' |').join('')}`);
      continue;
    }
    out.push(`| ${s.label} | ${fmtMs(s.median)} | ${fmtRange(s.min, s.max)} | ${fmtX(s.ratio)} |${extraCols.map((c) => ` ${c.value(s)} |`).join('')}`);
  }
  out.push('');
  if (section.checks?.length) {
    const minCol = section.checks.some((c) => c.shownByMin !== undefined);
    out.push(`| measure | from medians |${minCol ? ' from minima |' : ''} target | verdict (medians) |`, `|---|---:|${minCol ? '---:|' : ''}---:|---|`);
    for (const c of section.checks) {
      const verdict = c.met === undefined ? (c.target ? 'n/a' : '') : c.met ? 'met' : '**missed**';
      out.push(`| ${c.label} | ${c.shown} |${minCol ? ` ${c.shownByMin ?? ''} |` : ''} ${c.target} | ${verdict}${c.note ? ` ${c.note}` : ''} |`);
    }
    out.push('');
  }
  for (const note of section.notes ?? []) out.push(`- ${note}`);
  if (section.notes?.length) out.push('');
  return out.join('\n');
}
