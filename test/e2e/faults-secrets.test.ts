/**
 * Secrets between steps (issue 13, SPEC §4): a value passed from one step to the next is the
 * real value; masking is for what is shown and stored. So a later step receives a secret
 * output (and `steps.x.stdout`) as it was written, while no file under the state dir and no
 * `--json` event holds it. After `resume` the stored value is only `***`: a step that needs
 * it is refused with a clear message, never handed `***` as if it were the value.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { onlyRunId } from '../helpers/run-processes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshWorkspace(): ReturnType<typeof workspace> {
  const ws = workspace();
  dirs.push(ws.dir);
  return ws;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every string in a parsed JSON value, keys included (a secret may hide behind JSON escapes). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsIn(inner)]);
  return [];
}

/** The texts to search in a file: its raw text, and for JSON files every decoded string. */
function textsOf(file: string): string[] {
  const raw = readFileSync(file, 'utf8');
  if (!/\.jsonl?$/.test(file)) return [raw];
  const decoded = raw.split('\n').flatMap((line) => {
    try {
      return stringsIn(JSON.parse(line));
    } catch {
      return [];
    }
  });
  return [raw, ...decoded];
}

/**
 * A hostile secret: a unique tag (so any trace of it, even half a value, is found) followed
 * by shell syntax, quotes, escapes, `=`, `%`, `***` and non-ASCII. No newline or NUL (an
 * output is one `key=value` line; an environment value cannot hold NUL), no trailing blank.
 */
function hostileSecret(): fc.Arbitrary<{ tag: string; value: string }> {
  const fragments = ['$(touch /tmp/x)', '`id`', '"', "'", '\\', '$', '=', '%s', '%', '***', '*', '#', ';', '|', '&', ' ', '\t', 'é', '😀', '{', '}', '${HOME}', 'key=value', '\\n', '-'];
  return fc
    .tuple(fc.array(fc.constantFrom(...fragments), { maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 }))
    .map(([parts, noise]) => {
      const tag = `sEcReT${randomBytes(6).toString('hex')}`;
      const rest = (parts.join('') + noise).replace(/[\n\r\0]/g, '').trimEnd();
      return { tag, value: tag + rest };
    });
}

describe('secret values passed between steps', () => {
  it('reach the next step as they are (outputs and stdout), while no stored file and no event holds them (property)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileSecret(), hostileSecret(), hostileSecret(), async (s1, s2, s3) => {
        const ws = freshWorkspace();
        const file = ws.write(
          'flow.yaml',
          [
            'name: flow',
            'params:',
            '  s1: { type: string, secret: true, required: true }',
            '  s2: { type: string, secret: true, required: true }',
            'secrets:',
            '  S3: { env: FLOW_SECRET_3 }',
            'steps:',
            '  - id: make',
            '    run: |',
            `      printf 'o1=%s\\n' "\${{ params.s1 }}" >> "$STEPWISE_OUTPUT"`,
            `      printf 'o2=%s\\n' "\${{ params.s2 }}" >> "$STEPWISE_OUTPUT"`,
            `      printf 'o3=%s\\n' "$S3" >> "$STEPWISE_OUTPUT"`,
            `      printf 'plain=%s\\n' not-a-secret >> "$STEPWISE_OUTPUT"`,
            `      printf '%s\\n' "\${{ params.s1 }}"`,
            '  - id: use',
            '    run: |',
            `      printf '%s' "\${{ steps.make.outputs.o1 }}" > ${ws.dir}/got-o1`,
            `      printf '%s' "\${{ steps.make.outputs.o2 }}" > ${ws.dir}/got-o2`,
            `      printf '%s' "\${{ steps.make.outputs.o3 }}" > ${ws.dir}/got-o3`,
            `      printf '%s' "\${{ steps.make.stdout }}" > ${ws.dir}/got-stdout`,
            `      printf 'shown: %s\\n' "\${{ steps.make.outputs.o2 }}"`,
            '',
          ].join('\n'),
        );
        // runCli fails loudly (with the output so far) if the CLI hangs, so fast-check reports the values.
        const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir, '--param', `s1=${s1.value}`, '--param', `s2=${s2.value}`], {
          env: { FLOW_SECRET_3: s3.value, CI: '' },
          timeoutMs: 90_000,
        });
        expect(result.code).toBe(0);
        const got = (name: string) => readFileSync(join(ws.dir, name), 'utf8');
        expect({ o1: got('got-o1'), o2: got('got-o2'), o3: got('got-o3'), stdout: got('got-stdout') }).toEqual({ o1: s1.value, o2: s2.value, o3: s3.value, stdout: s1.value });

        const events = jsonLines(result.stdout);
        const made = events.find((e) => e.type === 'step.finished' && e.stepId === 'make');
        expect([...((made?.maskedOutputs as string[] | undefined) ?? [])].sort()).toEqual(['o1', 'o2', 'o3']);
        expect((made?.outputs as Record<string, string> | undefined)?.plain).toBe('not-a-secret');
        expect(events.some((e) => e.type === 'step.output' && e.line === 'shown: ***')).toBe(true);
        const shownTexts = [result.stdout, result.stderr, ...events.flatMap(stringsIn)];
        const storedTexts = filesUnder(ws.stateDir).flatMap(textsOf);
        expect(storedTexts.length).toBeGreaterThan(3);
        for (const { tag } of [s1, s2, s3]) {
          expect(shownTexts.filter((text) => text.includes(tag))).toEqual([]);
          expect(storedTexts.filter((text) => text.includes(tag))).toEqual([]);
        }
        rmSync(ws.dir, { recursive: true, force: true });
      }),
      { numRuns: 5, endOnFailure: true },
    );
    // A guard against a hung CLI on a loaded machine (each run is a whole CLI run), not a timing check.
  }, 300_000);
});

describe('after resume, a value that held a secret is stored only masked', () => {
  /** A run that fails at `later` (until `pass` exists) after `make` wrote a secret, resumed with the secret given again. */
  async function failThenResume(useInAfter: string): Promise<{ ws: ReturnType<typeof workspace>; secret: string; resumed: Awaited<ReturnType<typeof runCli>> }> {
    const ws = freshWorkspace();
    const secret = `hunter2-${randomBytes(6).toString('hex')}`;
    const file = ws.write(
      'resume.yaml',
      [
        'name: resume-secret',
        'params:',
        '  token: { type: string, secret: true, required: true }',
        'steps:',
        '  - id: make',
        '    run: |',
        `      printf 'tok=%s\\n' "\${{ params.token }}" >> "$STEPWISE_OUTPUT"`,
        `      printf 'token %s\\n' "\${{ params.token }}"`,
        `  - id: later\n    run: test -e ${ws.dir}/pass`,
        `  - id: after\n    run: printf '%s' "${useInAfter}" > ${ws.dir}/got-after`,
        '',
      ].join('\n'),
    );
    const first = await runCli(['run', file, '--no-rollback', '--state-dir', ws.stateDir, '--param', `token=${secret}`]);
    expect(first.code).toBe(1);
    const runId = onlyRunId(ws.stateDir);
    ws.write('pass', '');
    const resumed = await runCli(['resume', runId, '--state-dir', ws.stateDir, '--param', `token=${secret}`]);
    return { ws, secret, resumed };
  }

  it('an output that held a secret is refused with a clear message, not passed as ***', async () => {
    const { ws, resumed } = await failThenResume('${{ steps.make.outputs.tok }}');
    expect(resumed.code).toBe(1);
    expect(existsSync(join(ws.dir, 'got-after'))).toBe(false);
    expect(resumed.stdout + resumed.stderr).toMatch(/output `tok` of step `make` held a secret/);
    expect(resumed.stdout + resumed.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('steps.x.stdout that held a secret is refused too (or is the real value), never passed as ***', async () => {
    const { ws, secret, resumed } = await failThenResume('${{ steps.make.stdout }}');
    const marker = join(ws.dir, 'got-after');
    if (existsSync(marker)) {
      expect(readFileSync(marker, 'utf8')).toBe(`token ${secret}`);
    } else {
      expect(resumed.code).toBe(1);
      expect(resumed.stdout + resumed.stderr).toMatch(/stdout.*make.*secret|secret.*stdout.*make/);
    }
  });
});
