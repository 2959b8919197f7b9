/** Prints a plan as text (colour on a terminal) or, with `--json`, as one JSON document. */
import { createStyle } from '../reporters/listr-style.js';
import { colorWanted } from './create-reporters.js';
import { writeStdout } from './output.js';
import { formatPlan } from './plan-format.js';
import { planJson } from './plan-json.js';
import type { PlanDocument } from './plan-model.js';

/** Writes the plan to stdout. */
export function printPlan(plan: PlanDocument, json: boolean): void {
  if (json) {
    writeStdout(planJson(plan));
    return;
  }
  const tty = Boolean(process.stdout.isTTY);
  const lines = formatPlan(plan, { style: createStyle(tty && colorWanted()), width: tty ? (process.stdout.columns ?? 100) : 100 });
  writeStdout(lines.join('\n') + '\n');
}
