import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { buildReport } from '../../../src/report/build-report.js';
import { openReportSource } from '../../../src/report/read-run.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { bigRun, END_STYLE, HOST, hostileRun, IMG, QUOTES, recordRun, SCRIPT } from '../../helpers/report-runs.js';

afterAll(cleanTempDirs);

const RUN = '20261127T101500.000Z-c0de';

async function hostileReport(): Promise<string> {
  const state = tempStateDir();
  const { events, runbookText } = hostileRun();
  recordRun(state, RUN, events, runbookText);
  return await buildReport(await openReportSource('last', { stateDir: state.root }));
}

const unescapeAttr = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('buildReport with hostile values', () => {
  let html = '';
  beforeAll(async () => {
    html = await hostileReport();
  });

  it('has exactly one style and one script element: its own', () => {
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html.match(/<style/gi)).toHaveLength(1);
    expect(html.match(/<\/style/gi)).toHaveLength(1);
    expect(html.match(/<img|<svg|<a href="javascript/gi)).toBeNull();
  });

  it('shows every hostile value as text', () => {
    expect(html).toContain('&lt;script&gt;window.__pwned=1;document.title="pwned"&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror="window.__pwned=2;document.title=\'pwned\'"&gt;');
    expect(html).toContain('&lt;/style&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;&lt;style&gt;');
    expect(html).toContain('<span class="xf1">red &lt;b&gt;not bold&lt;/b&gt;</span>');
    expect(html).not.toContain('javascript:window.__pwned=6');
    expect(html).toContain('click');
  });

  it('never lets a value open an attribute or a tag', () => {
    // Outside our own tags, no quote can close an attribute: every tag's attributes are well-formed.
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
      expect(tag).toMatch(/^<[a-z0-9]+(\s+[a-z-]+(="[^"<>]*")?)*\s*>$/i);
      const names = [...tag.matchAll(/\s([a-z-]+)(?:="[^"]*")?/gi)].map((m) => m[1]?.toLowerCase());
      expect(names.filter((n) => n?.startsWith('on') || n === 'style' || n === 'src' || (n === 'href' && !tag.startsWith('<a class="tl-label" href="#')))).toEqual([]);
    }
    // The hostile values did reach attributes (titles, data-*), escaped.
    expect(html).toContain(`data-host="${HOST.replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`);
    expect(html).toContain('x&quot; onmouseover=&quot;window.__pwned=4&quot; data-x=&#39;y');
  });

  it('allows its inline style and script by their exact sha256 in a CSP meta tag', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    expect(meta).not.toBeNull();
    const policy = unescapeAttr(meta?.[1] ?? '');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(policy).toBe(`default-src 'none'; style-src ${sha256(style)}; script-src ${sha256(script)}; base-uri 'none'; form-action 'none'`);
    // The policy comes before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('keeps a secret masked: the report holds *** and the secret flag, never a value', () => {
    expect(html).toContain('<code>***</code> <span class="muted">(secret)</span>');
    expect(html).toContain(`--param 'token=***'`);
  });

  it('says what happened in words, with the timeline per host and the rollback', () => {
    expect(html).toContain('Failed, rolled back');
    expect(html).toMatch(/<div class="tl-row" data-step="deploy" data-host="web-1">/);
    expect(html.match(/<span class="bar rb /g)).toHaveLength(2);
    expect(html).toContain('<details class="step t-bad" id="s1" data-step="deploy" data-status="failed" open>');
    expect(html).toContain('<details class="step t-ok" id="s0" data-step="prepare" data-status="succeeded">');
    expect(html).toMatch(/not run/);
    expect(html).toContain(`<q>${SCRIPT.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')} ${QUOTES.replace(/</g, '&lt;')}</q>`);
    expect(html).toContain(IMG.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(END_STYLE).toContain('</style>');
  });
});

describe('buildReport size', () => {
  it('stays a few MB however much the steps printed (adversarial lines, many steps)', async () => {
    const state = tempStateDir();
    // 40 steps × 20,000 lines of markup-heavy output: about 60 MB of log.
    recordRun(state, RUN, bigRun(40, 20_000, `\u001b[31m<&>${'&'.repeat(60)}\u001b[0m`));
    const html = await buildReport(await openReportSource(RUN, { stateDir: state.root }));
    expect(html.length).toBeLessThan(6 * 1024 * 1024);
    expect(html).toMatch(/left out here/);
    expect(html).toContain(`stepwise logs ${RUN} s39`);
  });

  it('stays small for many tiny lines (markup per line is bounded too)', async () => {
    const state = tempStateDir();
    recordRun(state, RUN, bigRun(20, 50_000, ''));
    const html = await buildReport(await openReportSource(RUN, { stateDir: state.root }));
    expect(html.length).toBeLessThan(3 * 1024 * 1024);
  });
});
