/**
 * Timing primitives: run one command as a child process and measure its wall time from the
 * parent (spawn to the close of its stdio), run variants of a scenario interleaved over
 * several rounds, and summarise samples (median, min, max). Nothing here asserts a time.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The median of a list of numbers (mean of the middle two for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Runs `cmd args` with stdout to /dev/null (Node's 'ignore' opens /dev/null) and stderr
 * captured (tail kept for error messages). When `rssFile` is given, the command is wrapped
 * in GNU time, which writes the peak RSS (KiB) of the command to that file.
 * Resolves { ms, code, signal, stderr, rssKb }.
 */
export function timeCommand({ cmd, args = [], env, cwd, rssFile }) {
  const file = rssFile ? '/usr/bin/time' : cmd;
  const argv = rssFile ? ['-f', '%M', '-o', rssFile, cmd, ...args] : args;
  return new Promise((resolve) => {
    let stderr = '';
    const started = performance.now();
    const child = spawn(file, argv, {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString('utf8');
      if (stderr.length > 16384) stderr = stderr.slice(-8192);
    });
    child.on('error', (error) => resolve({ ms: NaN, code: null, signal: null, stderr: String(error), rssKb: undefined }));
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      let rssKb;
      if (rssFile) {
        try {
          rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        } catch {
          rssKb = undefined;
        }
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, code, signal, stderr, rssKb });
    });
  });
}

/** The last few non-empty lines of a process's stderr, for an "unavailable" reason. */
export function tail(text, lines = 4) {
  return text.trim().split('\n').filter(Boolean).slice(-lines).join(' | ').slice(0, 600) || '(no stderr)';
}

/**
 * Runs a scenario's variants interleaved: one untimed warm-up (and availability probe) of
 * each, then `rounds` rounds in which every variant runs once. The starting variant
 * rotates each round (A B C, B C A, C A B, …) so none is always the first after a pause.
 * A variant that fails (non-zero exit) is reported unavailable with the reason and
 * dropped; the others go on.
 *
 * A variant: { id, label, unavailable?: string, command(ctx) → {cmd,args,env,cwd},
 *              prepare?(): ctx (untimed), cleanup?(ctx) (untimed), rss?: boolean }.
 * Returns Map id → { samples: number[], rss: number[], unavailable?: string }.
 */
export async function runInterleaved(variants, { rounds, scratch, log }) {
  const results = new Map(variants.map((v) => [v.id, { samples: [], rss: [], unavailable: v.unavailable }]));
  const once = async (variant, timed) => {
    const result = results.get(variant.id);
    if (result.unavailable) return;
    const ctx = variant.prepare ? await variant.prepare() : {};
    try {
      const rssFile = variant.rss ? join(scratch, `rss-${process.pid}-${variant.id}`) : undefined;
      const run = await timeCommand({ ...variant.command(ctx), rssFile });
      if (run.code !== 0) {
        result.unavailable = `exit ${run.code ?? run.signal}: ${tail(run.stderr)}`;
        log(`  ! ${variant.label}: UNAVAILABLE (${result.unavailable})`);
        return;
      }
      if (timed) {
        result.samples.push(run.ms);
        if (run.rssKb !== undefined && Number.isFinite(run.rssKb)) result.rss.push(run.rssKb);
      }
    } finally {
      if (variant.cleanup) await variant.cleanup(ctx);
    }
  };
  for (const variant of variants) await once(variant, false);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) await once(variants[(round + i) % variants.length], true);
    log(`  round ${round + 1}/${rounds} done`);
  }
  return results;
}
