/** Resolves templates against a resolver: plain strings and shell scripts. */
import { evaluate, stringify, type Resolver } from './evaluate.js';
import { compileShellTemplate, renderShellTemplate, type RenderedScript, type ShellTemplate } from './shell-template.js';
import { hasExpressions, parseTemplate } from './template.js';

/** Substitutes `${{ }}` in a plain string (env values, cwd, names, confirm prompts). */
export function substituteText(text: string, resolve: Resolver): string {
  if (!hasExpressions(text)) return text;
  let out = '';
  for (const part of parseTemplate(text)) {
    out += part.kind === 'text' ? part.text : stringify(evaluate(part.expr, resolve));
  }
  return out;
}

const compiledScripts = new Map<string, ShellTemplate>();

/**
 * Resolves the `${{ }}` of a script run by `shell`: the script refers to variables, and their
 * values come back separately, for the runner to pass as environment (never as script text).
 */
export function substituteScript(script: string, resolve: Resolver, shell = 'bash'): RenderedScript {
  if (!hasExpressions(script)) return { script, env: {} };
  const key = `${shell}\0${script}`;
  let template = compiledScripts.get(key);
  if (!template) {
    template = compileShellTemplate(script, shell);
    compiledScripts.set(key, template);
  }
  return renderShellTemplate(template, (expr) => stringify(evaluate(expr, resolve)));
}
