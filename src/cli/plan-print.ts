/** Prints a plan as text (colour on a terminal; `--brief`: one line per step) or, with `--json`, as one JSON document. */
import { createStyle } from '../reporters/terminal-style.js';
import { colorWanted } from './create-reporters.js';
import { writeStdout } from './output.js';
import { formatBriefPlan, formatPlan } from './plan-format.js';
import { planJson } from './plan-json.js';
import type { PlanDocument } from './plan-model.js';

/** Writes the plan to stdout. */
export function printPlan(plan: PlanDocument, json: boolean, brief = false): void {
  if (json) {
    writeStdout(planJson(plan));
    return;
  }
  const tty = Boolean(process.stdout.isTTY);
  const options = { style: createStyle(tty && colorWanted()), width: tty ? (process.stdout.columns ?? 100) : 100 };
  const lines = brief ? formatBriefPlan(plan, options) : formatPlan(plan, options);
  writeStdout(lines.join('\n') + '\n');
}
