/**
 * A sample of the injection property (SPEC §2) inside `check:`, for runs of the built CLI:
 * one runbook whose step's check holds many generated printing scripts, each with its own
 * hostile param. The check writes what it prints to a file (the comparison is then byte for
 * byte, untouched by output line handling) and never holds, so the step runs once, after it.
 */
import fc from 'fast-check';
import { hostileValue, printingScript, V, type ScriptCase } from './hostile-shell.js';

/** The runbook, the params file's content, and the exact text the check must write. */
export interface CheckInjectionCase {
  runbook: Record<string, unknown>;
  params: Record<string, string>;
  expected: string;
}

/**
 * `count` generated scripts for `shell` with hostile values (seeded), in the check of one
 * step on `on`. `dir` holds the check's output file `check-out` and the marker `pwned`, which
 * any value run as code would create; both must be writable wherever the check runs.
 */
export function checkInjectionCase(dir: string, shell: 'bash' | 'sh', count: number, seed: number, on = 'local'): CheckInjectionCase {
  const marker = `${dir}/pwned`;
  const scripts: ScriptCase[] = fc.sample(printingScript(shell), { numRuns: count, seed });
  const values = fc.sample(
    hostileValue(marker).filter((v) => !v.includes('\u0000')),
    { numRuns: count, seed: seed + 1 },
  );
  const params: Record<string, string> = {};
  const declared: Record<string, unknown> = {};
  const parts: string[] = [`exec > "${dir}/check-out"`];
  let expected = '';
  scripts.forEach((script, i) => {
    const value = values[i] ?? '';
    params[`v${i}`] = value;
    declared[`v${i}`] = { type: 'string' };
    parts.push(script.template.replaceAll(V, `\${{ params.v${i} }}`), 'echo');
    expected += `${script.expected?.(value) ?? ''}\n`;
  });
  parts.push('exit 1');
  const runbook = {
    name: 'check-injection',
    params: declared,
    steps: [{ id: 'guarded', on, shell, run: `echo ran > "${dir}/ran"`, check: { run: parts.join('\n'), after: false } }],
  };
  return { runbook, params, expected };
}
