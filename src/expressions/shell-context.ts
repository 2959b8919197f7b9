/**
 * What the shell does with a `${{ }}` value where it stands (SPEC §2, injection safety).
 * Values never enter the script text: each substitution becomes a reference to a variable
 * the runner sets. The scanner only decides how that reference is written (`Quoting`), and
 * finds the places where bash would evaluate the *value* itself — arithmetic (only numbers
 * pass), variable names, code — so they can be refused or checked before anything runs.
 */

/** How the reference is written: `"${V}"` (bare), `${V}` (inside double quotes or a here-document). */
export type Quoting = 'bare' | 'dq' | 'raw';

/** Why a substitution cannot stand where it is written. */
export type RefusalReason =
  | 'single-quotes'
  | 'ansi-c'
  | 'quoted-heredoc'
  | 'escaped'
  | 'name'
  | 'code'
  | 'command'
  | 'array-declaration'
  | 'interpreter'
  | 'unreadable';

export interface Refusal {
  reason: RefusalReason;
  /** The construct, as the operator wrote it: `eval`, `read`, `sh -c`, `<<'EOF'`… */
  construct: string;
}

/** One `${{ }}` in a script, as the scanner found it. */
export interface Site {
  /** Offset of the substitution in the scanned text. */
  offset: number;
  quoting: Quoting;
  /** Set where bash evaluates the value as arithmetic: names the construct (`$(( ))`, `[[ -gt ]]`). */
  arithmetic?: string;
  refused?: Refusal;
}

/** Marks a site as refused (the first reason found wins: it is the innermost construct). */
export function refuse(site: Site, reason: RefusalReason, construct: string): void {
  site.refused ??= { reason, construct };
}

/** Marks a site as evaluated as arithmetic. */
export function requireNumber(site: Site, construct: string): void {
  site.arithmetic ??= construct;
}

const SAFE_FORMS = 'write it bare (echo ${{ params.x }}), inside double quotes, or in an unquoted here-document';

/** The message and hint of a refusal, with the construct named. */
export function refusalAdvice(refusal: Refusal): { message: string; hint: string } {
  const { construct } = refusal;
  switch (refusal.reason) {
    case 'single-quotes':
      return { message: 'a ${{ }} substitution inside single quotes is never expanded (the script would see a variable name, not the value)', hint: SAFE_FORMS };
    case 'ansi-c':
      return { message: "a ${{ }} substitution inside $'...' is never expanded (the script would see a variable name, not the value)", hint: SAFE_FORMS };
    case 'quoted-heredoc':
      return {
        message: `a \${{ }} substitution inside a quoted here-document (${construct}) is never expanded`,
        hint: 'use an unquoted delimiter (<<EOF): values are passed safely there',
      };
    case 'escaped':
      return { message: `a \`${construct}\` right before \${{ }} changes how the shell reads the substitution`, hint: `remove the \`${construct}\`, or put the substitution in double quotes: "\${{ params.x }}"` };
    case 'name':
      return {
        message: `a \${{ }} value used as a variable name (${construct}) would be evaluated by bash`,
        hint: 'name variables literally in the script and pass values as data: read -r line, printf -v out "%s" "${{ params.x }}"',
      };
    case 'code':
      return {
        message: `a \${{ }} value given to ${construct} would run as code`,
        hint: `pass values as data, never as code: sh -c 'echo "$1"' sh "\${{ params.x }}", or env: { X: "\${{ params.x }}" } and use "$X" as an argument`,
      };
    case 'command':
      return {
        message: `a \${{ }} value used as the command to run (${construct}) would choose what runs`,
        hint: 'name the program in the script and pass values as its arguments; choose between programs with case "${{ params.x }}" in a) cmd-a ;; b) cmd-b ;; esac',
      };
    case 'array-declaration':
      return {
        message: `${construct} NAME=VALUE evaluates VALUE as an array literal, so a \${{ }} value there would run as code`,
        hint: 'write the array literally: declare -a list=("${{ params.x }}")',
      };
    case 'unreadable':
      return {
        message: 'stepwise cannot tell how the shell reads this ${{ }} substitution, so it does not run it',
        hint: 'simplify the line around it, or pass the value through env: { X: "${{ params.x }}" } and use "$X"',
      };
    case 'interpreter':
      return {
        message: `\`${construct}\` is not a POSIX shell, so stepwise cannot pass \${{ }} values into its scripts safely`,
        hint: 'pass values through the environment: env: { X: "${{ params.x }}" }, and read X from the environment in the script',
      };
  }
}

/** Why a value that is not known to be a number cannot stand in an arithmetic context. */
export function arithmeticAdvice(construct: string, what: string): { message: string; hint: string } {
  return {
    message: `${what} is used in arithmetic (${construct}), where bash evaluates a value as an expression that can run code; only numbers are accepted there`,
    hint: 'declare the param as a number (type: integer or number); other values are checked to be numbers before the step starts',
  };
}
