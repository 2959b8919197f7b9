/**
 * Hostile values for the network steps (http-request, notify-webhook, wait-for-http), run
 * by the built CLI with the real curl against a local server that records every request.
 * For every value: either the input's rule refuses it before anything runs, or the request
 * is exactly what the value says — the URL is compared with what the same curl requests
 * when given that URL as one argument (no config file, no quoting) — and no trap springs:
 * no marker file is written, no local file reaches the server, no extra request is made.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startHttpServer, type RecordedRequest, type TestHttpServer } from '../helpers/http-server.js';
import { asFileName, curlAttacks, describeCase, expectRuleDecides, hostileRun, hostileValues, SEED, setTraps, sprung, type HostileCase, type Traps } from './steps-hostile-harness.js';
import { scratch } from './steps-harness.js';

const run = promisify(execFile);
const SLOW = 300_000;
/** Every status, so an accepted request never fails the step for its answer. */
const ANY_STATUS = '1xx,2xx,3xx,4xx,5xx';

describe(`hostile values reach the network steps as data (seed ${SEED})`, () => {
  let http: TestHttpServer;
  beforeAll(async () => {
    http = await startHttpServer({ '/ok': { status: 200, body: 'ok' } });
  });
  afterAll(async () => http.close());

  /** What the same curl requests for `url` given as one argument, and the status it got. */
  const reference = async (url: string): Promise<{ targets: string[]; status: string }> => {
    const before = http.requests.length;
    let status = '000';
    try {
      const out = await run('curl', ['--globoff', '--proto', '=http,https', '--silent', '--max-time', '10', '--output', '/dev/null', '--write-out', '%{http_code}', '--url', url]);
      status = out.stdout;
    } catch {
      // curl refused the URL itself: then the step must not reach the server either.
    }
    return { targets: http.requests.splice(before).map((r) => r.target), status };
  };

  /** Nothing the traps watch was touched by any request. */
  const expectNoLeak = (traps: Traps, requests: RecordedRequest[]) => {
    expect(sprung(traps)).toEqual([]);
    const leaked = requests.filter((r) => `${r.target}${JSON.stringify(r.headers)}${r.body}`.includes(traps.canary));
    expect(leaked.map((r) => r.target)).toEqual([]);
  };

  /** Half the URLs carry the value in the path, half in the query string. */
  const urlOf = (value: string, index: number) => (index % 2 === 0 ? http.url(`/p/${value}`) : `${http.url('/ok')}?q=${value}`);

  /**
   * Runs one URL input through its step and checks every request against curl's own.
   * `answered`: the status of a step whose URL answered as wanted (`alreadyDone` when the
   * step's check made the one request).
   */
  const checkUrls = async (uses: string, fixed: (i: number, status: string) => Record<string, unknown>, step: Record<string, unknown>, succeeded: (status: string) => boolean, noAnswer = 'failed', answered = 'succeeded') => {
    const dir = scratch();
    const traps = setTraps(dir);
    const values = hostileValues(traps, 16, uses.length, curlAttacks(traps)).map(urlOf);
    const references: Array<{ targets: string[]; status: string }> = [];
    for (const url of values) references.push(await reference(url));
    http.requests.length = 0;
    const { cases } = await hostileRun(dir, { uses, input: 'url', values, fixed: (i) => fixed(i, references[i]?.status ?? '000'), step });
    const { accepted } = expectRuleDecides(uses, 'url', cases);
    const expected: string[] = [];
    for (const c of accepted) {
      const ref = references[c.index] ?? { targets: [], status: '000' };
      expected.push(...ref.targets);
      // No answer at all (curl refused the URL): the step must not get one either. An answer
      // without a recorded request is the server refusing the target (400), the same for both.
      const want = ref.status === '000' ? noAnswer : succeeded(ref.status) ? answered : 'failed';
      expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), want]);
    }
    expect(http.requests.map((r) => r.target)).toEqual(expected);
    expectNoLeak(traps, http.requests);
    // The property means little if everything were refused.
    expect(accepted.filter((c) => (references[c.index]?.targets.length ?? 0) > 0).length).toBeGreaterThan(values.length / 4);
  };

  it('http-request: a URL goes to exactly that URL, or is refused', async () => {
    await checkUrls('http-request', () => ({ status: ANY_STATUS }), {}, () => true);
  }, SLOW);

  it('notify-webhook: a URL goes to exactly that URL, or is refused', async () => {
    await checkUrls('notify-webhook', () => ({ message: 'hi' }), { retry: 1 }, (status) => /^2/.test(status));
  }, SLOW);

  it('wait-for-http: a URL is polled exactly as given, or is refused — by the step and by its check', async () => {
    const fixed = (_i: number, status: string) => ({ status: Number(status) >= 100 ? Number(status) : 200, interval: 0.1 });
    // The library's check asks once: the endpoint answers as wanted, so the step is already done.
    await checkUrls('wait-for-http', fixed, { timeout: '20s' }, () => true, 'timedOut', 'alreadyDone');
    // A check of the runbook's own that never holds: the step itself polls.
    await checkUrls('wait-for-http', fixed, { timeout: '20s', check: { run: 'exit 1', after: false } }, () => true, 'timedOut');
  }, SLOW);

  /** Runs `input` of http-request with hostile values; each case's request is found by its query `case=i`. */
  const httpRequestCases = async (input: string, shape: (v: string, i: number) => string, fixed: (i: number) => Record<string, unknown>, must: string[] = []) => {
    const dir = scratch();
    const traps = setTraps(dir);
    const values = hostileValues(traps, 20, input.length, must).map(shape);
    http.requests.length = 0;
    const { cases } = await hostileRun(dir, { uses: 'http-request', input, values, fixed: (i) => ({ url: `${http.url('/ok')}?case=${i}`, status: ANY_STATUS, ...fixed(i) }) });
    const { accepted } = expectRuleDecides('http-request', input, cases);
    const requestOf = (c: HostileCase) => {
      const seen = http.requests.filter((r) => r.target === `/ok?case=${c.index}`);
      expect([describeCase(c), c.finished?.status, seen.length]).toEqual([describeCase(c), 'succeeded', 1]);
      return seen[0] as RecordedRequest;
    };
    for (const c of accepted) requestOf(c);
    expect(http.requests.length).toBe(accepted.length);
    expectNoLeak(traps, http.requests);
    return { dir, accepted, requestOf };
  };

  /** A header value as the server reads it: UTF-8 bytes taken as latin1, surrounding blanks dropped. */
  const asReceived = (value: string) => Buffer.from(value, 'utf8').toString('latin1').replace(/^[ \t]+|[ \t]+$/g, '');

  it('http-request: headers arrive as exactly the given lines, or are refused', async () => {
    // The first values always become accepted header lines; later every third value is a whole `headers` text.
    const must = ['$(touch nothing)', "'; drop table victims; --", '@/etc/passwd', '"q" `id`\r\nX-Second: 2'];
    const { accepted, requestOf } = await httpRequestCases('headers', (v, i) => (i >= must.length && i % 3 === 0 ? v : `X-Hostile: ${v}`), () => ({}), must);
    for (const c of accepted) {
      const request = requestOf(c);
      const wanted = new Map<string, string[]>();
      for (const raw of c.value.split('\n')) {
        const line = raw.replace(/\r$/, '');
        if (line === '') continue;
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        wanted.set(name, [...(wanted.get(name) ?? []), asReceived(line.slice(colon + 1))]);
      }
      for (const [name, values] of wanted) expect([describeCase(c), name, request.headers[name]]).toEqual([describeCase(c), name, values.join(', ')]);
    }
    expect(accepted.map((c) => c.index)).toEqual(expect.arrayContaining([0, 1, 2, 3]));
  }, SLOW);

  it('http-request: a body arrives byte for byte', async () => {
    const { accepted, requestOf } = await httpRequestCases('body', (v) => v, () => ({ method: 'POST' }));
    for (const c of accepted) {
      const request = requestOf(c);
      expect([describeCase(c), request.body, request.headers['content-type']]).toEqual([describeCase(c), c.value, 'application/json']);
    }
  }, SLOW);

  it('http-request: a Content-Type arrives as given, or is refused', async () => {
    const must = ['text/plain; charset="$(touch nothing)"', "'; drop table victims; --", '@/etc/passwd', ' '];
    const { accepted, requestOf } = await httpRequestCases('content_type', (v) => v, () => ({ method: 'POST', body: 'x' }), must);
    for (const c of accepted) expect([describeCase(c), requestOf(c).headers['content-type']]).toEqual([describeCase(c), asReceived(c.value)]);
    expect(accepted.map((c) => c.index)).toEqual(expect.arrayContaining([0, 1, 2]));
  }, SLOW);

  it('http-request: save_to writes exactly that file (names like --help too), or is refused', async () => {
    const { dir, accepted, requestOf } = await httpRequestCases('save_to', asFileName, () => ({}));
    for (const c of accepted) {
      requestOf(c);
      const file = resolve(dir, c.value);
      expect([describeCase(c), c.outputs['body-file'], existsSync(file) && readFileSync(file, 'utf8')]).toEqual([describeCase(c), file, 'ok']);
    }
  }, SLOW);

  /** notify-webhook with hostile `input`; requests are in case order (one per accepted case). */
  const notifyCases = async (input: string, fixed: Record<string, unknown>) => {
    const dir = scratch();
    const traps = setTraps(dir);
    const values = hostileValues(traps, 20, input.length + 7);
    http.requests.length = 0;
    const { cases } = await hostileRun(dir, { uses: 'notify-webhook', input, values, fixed: (i) => ({ url: `${http.url('/ok')}?case=${i}`, ...fixed }), step: { retry: 1 } });
    const { accepted } = expectRuleDecides('notify-webhook', input, cases);
    expectNoLeak(traps, http.requests);
    return accepted.map((c) => {
      const seen = http.requests.filter((r) => r.target === `/ok?case=${c.index}`);
      expect([describeCase(c), c.finished?.status, seen.length]).toEqual([describeCase(c), 'succeeded', 1]);
      return { c, body: (seen[0] as RecordedRequest).body };
    });
  };

  it('notify-webhook: a message arrives as exactly that JSON string', async () => {
    for (const { c, body } of await notifyCases('message', {})) expect([describeCase(c), JSON.parse(body)]).toEqual([describeCase(c), { text: c.value }]);
  }, SLOW);

  it('notify-webhook: a payload arrives byte for byte; a field name is refused unless it is a plain key', async () => {
    for (const { c, body } of await notifyCases('payload', {})) expect([describeCase(c), body]).toEqual([describeCase(c), c.value]);
    for (const { c, body } of await notifyCases('field', { message: 'hi' })) expect([describeCase(c), JSON.parse(body)]).toEqual([describeCase(c), { [c.value]: 'hi' }]);
  }, SLOW);

  it('wait-for-http: `contains` is matched as the whole text, never as a pattern or as separate lines', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const values = hostileValues(traps, 20, 99, ['a\nb', '*\n?', 'line one\r\nline two', `\n$(touch ${traps.markers}/contains)\n`]);
    values.forEach((v, i) => {
      http.route(`/has/${i}`, { status: 200, body: `before ${v} after` });
      // Every line of the value, but never the value itself: a line-by-line match would accept it.
      http.route(`/lines/${i}`, { status: 200, body: v.split('\n').map((line) => `${line}\n~`).join('\n') });
    });
    const fixed = (i: number) => ({ url: http.url(`/has/${i}`), interval: 0.1 });
    // Found by the library's check (already done), and by the step when a check of the runbook's own never holds.
    const byCheck = await hostileRun(dir, { uses: 'wait-for-http', input: 'contains', values, fixed, step: { timeout: '20s' } });
    for (const c of byCheck.cases) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), 'alreadyDone']);
    const found = await hostileRun(scratch(), { uses: 'wait-for-http', input: 'contains', values, fixed, step: { timeout: '20s', check: { run: 'exit 1', after: false } } });
    for (const c of found.cases) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), 'succeeded']);
    const multiline = values.filter((v) => v.includes('\n') && !v.split('\n').map((line) => `${line}\n~`).join('\n').includes(v));
    const notFound = await hostileRun(scratch(), { uses: 'wait-for-http', input: 'contains', values: multiline, fixed: (i) => ({ url: http.url(`/lines/${values.indexOf(multiline[i] ?? '')}`), interval: 0.2 }), step: { timeout: '1500ms' } });
    // Neither the check nor the step matches line by line: not already done, and never found.
    for (const c of notFound.cases) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), 'timedOut']);
    expect(multiline.length).toBeGreaterThanOrEqual(3);
    expect(sprung(traps)).toEqual([]);
  }, SLOW);
});
