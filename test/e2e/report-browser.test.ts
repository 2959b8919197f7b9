/**
 * The report in a real browser (Debian's chromium through playwright-core): it renders
 * without console errors or CSP violations, loads nothing, shows one timeline bar per step
 * and host, expands the failed step, runs none of a hostile run's output, works in dark
 * mode, at phone width and in print; and a screenshot is left for humans to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { buildReport } from '../../src/report/build-report.js';
import { openReportSource } from '../../src/report/read-run.js';
import { ensureStateDir } from '../../src/journal/state-dir.js';
import { chromiumAvailable, launchChromium, type Browser } from '../helpers/chromium.js';
import { runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { HOST, hostileRun, recordRun, SCRIPT } from '../helpers/report-runs.js';

const OUTPUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-output');

const FAILING = `name: orders-db-migrate
description: |
  Migrates the orders schema. Takes about two minutes of write downtime.
  On failure everything is compensated, newest first.
params:
  version: { type: string, default: v42 }
  token: { type: string, secret: true, default: "" }
steps:
  - id: backup
    name: Back up orders
    description: Dumps the orders database before touching anything.
    run: |
      echo "pg_dump orders > /backups/orders-\${{ run.id }}.dump"
      printf '\\033[32m✔ dumped 12 tables\\033[0m (\\033[1m4.2 GiB\\033[0m)\\n'
      echo "dump-file=/backups/orders.dump" >> "$STEPWISE_OUTPUT"
    rollback: echo "rm -f /backups/orders.dump"
  - id: migrate
    name: Migrate schema to \${{ params.version }}
    description: Applies the pending migrations; retried once.
    retry: { attempts: 2, delay: 200ms }
    run: |
      echo "applying 0041_add_index ... ok"
      printf '\\033[33mwarning:\\033[0m lock wait exceeded on orders_items\\n'
      echo "ERROR: relation \\"orders_v2\\" does not exist" >&2
      sleep 0.2
      exit 3
    rollback: echo "restoring the previous schema"
  - id: verify
    run: curl -fsS http://localhost:8080/health
finally:
  - id: notify
    run: echo "run ended \${{ run.status }}"
`;

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  dialogs: string[];
}

const enabled = chromiumAvailable();
const suite = enabled ? describe : describe.skip;

suite('the report in chromium', () => {
  let browser: Browser;
  let failedFile: string;
  let hostileFile: string;

  beforeAll(async () => {
    const ws = workspace();
    const runbook = ws.write('orders.yaml', FAILING);
    const run = await runCli(['run', runbook, '--state-dir', ws.stateDir, '--param', 'token=hunter2-secret'], { cwd: ws.dir });
    expect(run.code).toBe(1);
    failedFile = join(ws.dir, 'failed.html');
    expect((await runCli(['report', 'last', '-o', failedFile, '--state-dir', ws.stateDir], { cwd: ws.dir })).code).toBe(0);
    const state = ensureStateDir(join(ws.dir, 'hostile-state'));
    const { events, runbookText } = hostileRun();
    recordRun(state, '20261127T101500.000Z-0bad', events, runbookText);
    hostileFile = join(ws.dir, 'hostile.html');
    writeFileSync(hostileFile, await buildReport(await openReportSource('last', { stateDir: state.root })));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string): Promise<Opened> {
    const page = await browser.context.newPage();
    const opened: Opened = { page, problems: [], requests: [], dialogs: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') opened.problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => opened.problems.push(`page error: ${e.message}`));
    page.on('request', (r) => opened.requests.push(r.url()));
    page.on('dialog', (d) => {
      opened.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.addInitScript(`window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('html[data-ready="yes"]', { state: 'attached' });
    return opened;
  }

  /** Evaluates a browser-side expression (a string: this file is type-checked without the DOM library). */
  const js = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
  const violations = (page: Page) => js<string[]>(page, 'window.__violations');
  const style = (page: Page, selector: string, property: string) => js<string>(page, `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);

  /** Timeline rows as `step|host`, each with how many run/finally bars and rollback bars it has. */
  const timelineRows = (page: Page) =>
    page.$$eval('.tl-row[data-host]', (rows) => rows.map((r) => [`${r.getAttribute('data-step')}|${r.getAttribute('data-host')}`, r.querySelectorAll('.bar:not(.rb)').length, r.querySelectorAll('.bar.rb').length]));

  it('renders a failed, rolled-back run with no console errors, no CSP violations and no requests', async () => {
    const { page, problems, requests } = await open(failedFile);
    expect(problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(requests).toEqual([pathToFileURL(failedFile).href]);
    // The stylesheet applied (allowed by its hash) and the script ran (it set data-ready).
    expect(await style(page, '.top', 'borderLeftWidth')).toBe('6px');
    expect(await page.isVisible('#tools')).toBe(true);
    expect(await page.textContent('.outcome strong')).toBe('Failed, rolled back');
    expect(await page.textContent('body')).not.toContain('hunter2-secret');
    await page.close();
  });

  it('shows one timeline bar per step and host, and the rollbacks in their own bars', async () => {
    const failed = await open(failedFile);
    expect(await timelineRows(failed.page)).toEqual([['backup|local', 1, 1], ['migrate|local', 1, 1], ['notify|local', 1, 0]]);
    // The failed attempt, the wait before the retry and the last attempt are all in migrate's bar.
    expect(await failed.page.$$eval('.tl-row[data-step="migrate"] .bar:not(.rb) .seg', (s) => s.map((e) => e.classList[1]))).toEqual(['failed', 'wait', 'failed']);
    expect(await failed.page.getAttribute('.tl-row[data-step="migrate"] .bar:not(.rb)', 'title')).toMatch(/step migrate: failed, 2 attempts of 2\n\d{4}-\d\d-\d\dT[\d:.]+Z → \d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(await failed.page.isVisible('.tl-row.notrun[data-step="verify"]')).toBe(true);
    await failed.page.close();
    const hostile = await open(hostileFile);
    expect(await timelineRows(hostile.page)).toEqual([['prepare|local', 1, 0], ['deploy|web-1', 1, 1], [`deploy|${HOST}`, 1, 1]]);
    await hostile.page.close();
  });

  it('expands the failed step (and its output); succeeded steps stay folded', async () => {
    const { page } = await open(failedFile);
    expect(await page.$eval('details.step[data-step="migrate"]', (d) => d.hasAttribute('open'))).toBe(true);
    expect(await page.isVisible('details.step[data-step="migrate"] pre.log')).toBe(true);
    expect(await page.textContent('details.step[data-step="migrate"] pre.log')).toContain('ERROR: relation "orders_v2" does not exist');
    expect(await page.$eval('details.step[data-step="backup"]', (d) => d.hasAttribute('open'))).toBe(false);
    expect(await page.isVisible('details.step[data-step="backup"] pre.log')).toBe(false);
    // ANSI colours are rendered as colours.
    await page.click('details.step[data-step="backup"] > summary');
    expect(await style(page, 'details.step[data-step="backup"] .xf2', 'color')).not.toBe(await style(page, 'body', 'color'));
    await page.close();
  });

  it('runs none of a hostile run’s output: no script, no handler, no image, no dialog', async () => {
    const { page, problems, requests, dialogs } = await open(hostileFile);
    expect(await js(page, 'typeof window.__pwned')).toBe('undefined');
    // The runbook's hostile name is in the title as text; a script would have made it just "pwned".
    expect(await page.title()).toBe(`Failed, rolled back · demo${SCRIPT} · 20261127T101500.000Z-0bad · stepwise report`);
    await page.hover(`.tl-row[data-host="${HOST.replace(/"/g, '\\"')}"] .bar.run`, { force: true });
    expect(await js(page, 'typeof window.__pwned')).toBe('undefined');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(requests).toEqual([pathToFileURL(hostileFile).href]);
    expect(await page.$$eval('body img, body svg, body iframe, body object, body a[href^="javascript"]', (e) => e.length)).toBe(0);
    expect(await page.$$eval('script', (e) => e.length)).toBe(1);
    // The hostile text is there, as text.
    await page.click('text=Expand all');
    expect(await page.textContent('details.step[data-step="prepare"] pre.log')).toContain('<script>window.__pwned=1;document.title="pwned"</script>');
    await page.close();
  });

  it('writes a screenshot of the failed run (light, dark, phone) under test-output/', async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const { page } = await open(failedFile);
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-failed.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await style(page, 'body', 'backgroundColor');
    expect(background).toBe('rgb(20, 23, 27)');
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-failed-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    // Nothing wider than a phone: long ids, paths and logs wrap or scroll inside their box.
    expect(await js<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-failed-phone.png'), fullPage: true });
    await page.close();
  });

  it('prints everything expanded', async () => {
    const { page } = await open(failedFile);
    const folded = 'details.step[data-step="backup"] pre.log';
    expect(await page.isVisible(folded)).toBe(false);
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible(folded)).toBe(true);
    expect(await page.isVisible('#tools')).toBe(false);
    // Printing for real fires beforeprint, which opens every section too.
    await page.pdf({ path: join(OUTPUT_DIR, 'report-failed.pdf') });
    await page.close();
  });
});
