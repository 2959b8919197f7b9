/**
 * The network steps of the shipped library, run for real by the built CLI: wait-for-port
 * against a port this test opens (and one nobody listens on), wait-for-http, http-request
 * and notify-webhook against a local node HTTP server that records what they sent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { allCommandLines } from '../helpers/processes.js';
import { oneStep, runRunbook, scratch, startRunbook } from './steps-harness.js';

/** A port that was free a moment ago: listen on 0, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('wait-for-port', () => {
  it('succeeds once a listening port accepts, even when it starts listening late', async () => {
    const port = await closedPort();
    const { cli, done } = startRunbook(scratch(), oneStep('wait-for-port', { port, interval: 0.1 }, { timeout: '30s' }));
    // Start listening only once the step has begun waiting (its check found the port closed).
    await cli.waitFor('"type":"step.started"');
    await cli.waitFor(`waiting for 127.0.0.1:${port}`);
    const server = createServer((socket) => socket.end());
    server.listen(port, '127.0.0.1');
    const run = await done;
    server.close();
    expect(run.code).toBe(0);
    expect(run.finished('step')?.status).toBe('succeeded');
    expect(run.outputs('step')['waited-seconds']).toMatch(/^[0-9]+\.[0-9]$/);
  });

  it('ends timedOut on a closed port when the step timeout is reached', async () => {
    const port = await closedPort();
    const run = await runRunbook(scratch(), oneStep('wait-for-port', { host: '127.0.0.1', port, interval: 0.1 }, { timeout: '1500ms' }));
    expect(run.code).toBe(1);
    expect(run.finished('step')?.status).toBe('timedOut');
    expect(run.log('step')).toContain(`waiting for 127.0.0.1:${port}`);
  });

  it('refuses a port out of range given through an expression', async () => {
    const run = await runRunbook(scratch(), {
      name: 'bad-port',
      params: { port: { type: 'integer', default: 70000 } },
      steps: [{ id: 'step', uses: 'wait-for-port', with: { port: '${{ params.port }}' }, timeout: '5s' }],
    });
    expect(run.code).not.toBe(0);
    expect(run.finished('step')?.status).toBe('failed');
  });
});

describe('HTTP steps', () => {
  let http: TestHttpServer;
  beforeAll(async () => {
    http = await startHttpServer({
      // 503 twice, then 200 "starting", then 200 "ready": tests both status and body matching.
      '/health': (_req, hit) => (hit <= 2 ? { status: 503, body: 'down' } : hit === 3 ? { status: 200, body: 'starting' } : { status: 200, body: '{"status":"ready"}' }),
      '/always-500': { status: 500, body: 'boom\nsecond line' },
      '/echo': (req) => ({ status: 201, body: `${req.method} ${req.body}` }),
      '/hook': { status: 200, body: 'ok' },
      '/hook-broken': { status: 400, body: 'invalid_payload' },
    });
  });
  afterAll(async () => http.close());

  it('wait-for-http polls until both the status and the body text match', async () => {
    const run = await runRunbook(scratch(), oneStep('wait-for-http', { url: http.url('/health'), contains: '"ready"', interval: 0.1 }, { timeout: '30s' }));
    expect(run.code).toBe(0);
    expect(run.outputs('step').status).toBe('200');
    expect(http.requests.filter((r) => r.path === '/health')).toHaveLength(4);
  });

  it('wait-for-http times out on a status that never comes, saying what it saw', async () => {
    const run = await runRunbook(scratch(), oneStep('wait-for-http', { url: http.url('/always-500'), interval: 0.1 }, { timeout: '1500ms' }));
    expect(run.code).toBe(1);
    expect(run.finished('step')?.status).toBe('timedOut');
    expect(run.log('step')).toContain('status 500 (want 200)');
  });

  it('wait-for-http accepts a non-200 status when told', async () => {
    const run = await runRunbook(scratch(), oneStep('wait-for-http', { url: http.url('/always-500'), status: 500, contains: 'boom' }, { timeout: '10s' }));
    expect(run.code).toBe(0);
  });

  it('http-request sends method, body and headers verbatim and outputs status and body', async () => {
    const dir = scratch();
    const body = `{"note":"it's \\"quoted\\" $(touch ${dir}/pwned) \`id\`"}`;
    const run = await runRunbook(
      dir,
      oneStep('http-request', { method: 'PUT', url: http.url('/echo'), body, headers: 'X-One: 1\nAuthorization: Bearer s3cret', status: '201', save_to: join(dir, 'saved.txt') }),
    );
    expect(run.code).toBe(0);
    const seen = http.requests.filter((r) => r.path === '/echo').at(-1);
    expect(seen?.method).toBe('PUT');
    expect(seen?.body).toBe(body);
    expect(seen?.headers['x-one']).toBe('1');
    expect(seen?.headers.authorization).toBe('Bearer s3cret');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(run.outputs('step')).toMatchObject({ status: '201', body: `PUT ${body}`, 'body-file': join(dir, 'saved.txt') });
    expect(readFileSync(join(dir, 'saved.txt'), 'utf8')).toBe(`PUT ${body}`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('http-request fails on an unexpected status and shows the body', async () => {
    const run = await runRunbook(scratch(), oneStep('http-request', { url: http.url('/always-500') }));
    expect(run.code).toBe(1);
    expect(run.finished('step')?.status).toBe('failed');
    expect(run.outputs('step').status).toBe('500');
    expect(run.log('step')).toContain('answered 500, expected 2xx');
    expect(run.log('step')).toContain('boom second line');
  });

  it('http-request accepts status classes and lists, and HEAD requests', async () => {
    const run = await runRunbook(scratch(), oneStep('http-request', { url: http.url('/always-500'), status: '404,5xx' }));
    expect(run.code).toBe(0);
    const head = await runRunbook(scratch(), oneStep('http-request', { method: 'HEAD', url: http.url('/echo'), status: '201' }, { timeout: '20s' }));
    expect(head.code).toBe(0);
    expect(http.requests.at(-1)?.method).toBe('HEAD');
  });

  it('notify-webhook posts the message as a JSON string, escaped', async () => {
    const message = 'deploy "v2" done\n\tback\\slash \u0001 ünïcødé';
    const run = await runRunbook(scratch(), oneStep('notify-webhook', { url: http.url('/hook'), message, field: 'content' }));
    expect(run.code).toBe(0);
    const seen = http.requests.filter((r) => r.path === '/hook').at(-1);
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen?.body ?? 'null')).toEqual({ content: message });
    expect(run.outputs('step').status).toBe('200');
  });

  it('notify-webhook sends a given payload verbatim', async () => {
    const payload = '{"blocks":[{"type":"section"}]}';
    const run = await runRunbook(scratch(), oneStep('notify-webhook', { url: http.url('/hook'), payload }));
    expect(run.code).toBe(0);
    expect(http.requests.filter((r) => r.path === '/hook').at(-1)?.body).toBe(payload);
  });

  it('a secret in the URL, headers or body never reaches a command line (ps)', async () => {
    const token = `tok${Math.random().toString(36).slice(2)}`;
    let leaked: string[] | undefined;
    // Scanned while the request is in flight: curl is alive at that very moment.
    const scan = (): { status: number } => {
      leaked = allCommandLines().filter((line) => line.includes(token));
      return { status: 200 };
    };
    http.route(`/secret/${token}`, scan);
    const secretParam = { name: 'secret', params: { token: { type: 'string', secret: true, default: token } } };
    for (const step of [
      { id: 'req', uses: 'http-request', with: { method: 'POST', url: http.url('/secret/${{ params.token }}'), headers: 'Authorization: Bearer ${{ params.token }}', body: '{"t":"${{ params.token }}"}' } },
      { id: 'hook', uses: 'notify-webhook', with: { url: http.url('/secret/${{ params.token }}'), message: 'token ${{ params.token }}' } },
    ]) {
      leaked = undefined;
      const run = await runRunbook(scratch(), { ...secretParam, steps: [step] });
      expect(run.code).toBe(0);
      expect(leaked).toEqual([]);
      expect(run.stdout).not.toContain(token);
    }
  });

  it('notify-webhook fails on a non-2xx answer after its retries', async () => {
    const before = http.requests.filter((r) => r.path === '/hook-broken').length;
    const run = await runRunbook(scratch(), oneStep('notify-webhook', { url: http.url('/hook-broken'), message: 'hi' }, { retry: { attempts: 2, delay: '100ms' } }));
    expect(run.code).toBe(1);
    expect(run.finished('step')?.status).toBe('failed');
    expect(run.log('step')).toContain('answered 400: invalid_payload');
    expect(http.requests.filter((r) => r.path === '/hook-broken').length - before).toBe(2);
  });
});
