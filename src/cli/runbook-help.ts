/**
 * `stepwise run FILE --help`: after the options of `run`, the params of that runbook —
 * name, type, required or default, rules, secret — with their descriptions, so the runbook
 * documents its own command line.
 */
import { sanitize } from '../reporters/terminal-style.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import type { ParamSpec } from '../runbook/model.js';
import { displayPath } from '../runbook/paths.js';
import { writeStdout } from './output.js';

/** Required/default, rules and secrecy of one param, as a short phrase. */
function facts(spec: ParamSpec): string {
  const parts: string[] = [];
  if (spec.default !== undefined) parts.push(`default ${spec.secret ? '***' : JSON.stringify(spec.default)}`);
  else parts.push(spec.required ? 'required' : 'optional');
  if (spec.enum) parts.push(`one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (spec.minimum !== undefined) parts.push(`≥ ${spec.minimum}`);
  if (spec.maximum !== undefined) parts.push(`≤ ${spec.maximum}`);
  if (spec.pattern !== undefined) parts.push(`matches /${spec.pattern}/`);
  if (spec.secret) parts.push('secret (masked everywhere, never stored)');
  return parts.join('; ');
}

/** Prints the params of the runbook at `file`; exit 0 (an invalid runbook throws: exit 2). */
export async function printRunbookParams(file: string): Promise<number> {
  const runbook = await loadRunbook(file);
  const where = `${sanitize(runbook.name)} (${displayPath(runbook.file)})`;
  if (runbook.params.length === 0) {
    writeStdout(`\n${where} takes no params.\n`);
    return 0;
  }
  const lines = ['', `Params of ${where}, given as --param NAME=VALUE or in --params-file FILE:`];
  const width = Math.max(...runbook.params.map((p) => p.name.length + p.type.length + 1));
  for (const spec of runbook.params) {
    lines.push(`  ${`${spec.name}=${spec.type.toUpperCase()}`.padEnd(width)}  ${sanitize(facts(spec))}`);
    for (const line of (spec.description ?? '').trim().split('\n').filter(Boolean)) lines.push(`  ${' '.repeat(width)}  ${sanitize(line)}`);
  }
  writeStdout(`${lines.join('\n')}\n`);
  return 0;
}
