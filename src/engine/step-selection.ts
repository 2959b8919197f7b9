/**
 * Which steps `--from` / `--only` select. The one rule the engine runs by and that `plan`
 * and `resume --dry-run` show: `--only` wins over `--from`; neither selects every step.
 */

/** A `--from` step id and/or `--only` step ids (already checked to exist). */
export interface StepSelection {
  from?: string | undefined;
  only?: readonly string[] | undefined;
}

/** True when the step with `id` is selected among `steps` (in runbook order). */
export function isSelected(id: string, steps: ReadonlyArray<{ id: string }>, selection: StepSelection): boolean {
  if (selection.only) return selection.only.includes(id);
  if (selection.from) return steps.findIndex((s) => s.id === id) >= steps.findIndex((s) => s.id === selection.from);
  return true;
}
