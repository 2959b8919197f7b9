/** Resolves templates against a resolver: plain strings and shell scripts. */
import { evaluate, stringify, type Resolver } from './evaluate.js';
import { compileShellTemplate, renderShellTemplate, type ShellTemplate } from './shell-template.js';
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

/** Substitutes `${{ }}` in a shell script, quoting each value for where it stands. */
export function substituteScript(script: string, resolve: Resolver): string {
  if (!hasExpressions(script)) return script;
  let template = compiledScripts.get(script);
  if (!template) {
    template = compileShellTemplate(script);
    compiledScripts.set(script, template);
  }
  return renderShellTemplate(template, (expr) => stringify(evaluate(expr, resolve)));
}
