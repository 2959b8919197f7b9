/**
 * Helpers to collect located problems (ARCHITECTURE §2: collect all errors, then fail).
 * A Diagnostic has no separate hint field, so a hint rides in the message after `; `,
 * which keeps every diagnostic one `FILE:LINE:COL path: message` line for editors and grep.
 */
import type { SourceLocation } from '../errors/location.js';
import { ValidationError, type Diagnostic } from '../errors/stepwise-error.js';

/** A message with an optional hint, in the one-line form diagnostics use. */
export function withHint(message: string, hint: string | undefined): string {
  return hint ? `${message}; hint: ${hint}` : message;
}

/** Formats path segments the way operators read them: `steps[2].retry.attempts`. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Orders diagnostics by file (first seen first), then line and column; drops exact duplicates. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of diagnostics) if (!fileOrder.has(d.location.file)) fileOrder.set(d.location.file, fileOrder.size);
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.location.file}\0${d.location.line}\0${d.location.col}\0${d.path}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      (fileOrder.get(a.location.file) as number) - (fileOrder.get(b.location.file) as number) ||
      a.location.line - b.location.line ||
      a.location.col - b.location.col,
  );
}

/** Throws one ValidationError carrying every diagnostic, if there are any. */
export function throwIfAny(diagnostics: Diagnostic[]): void {
  if (diagnostics.length > 0) throw new ValidationError(sortDiagnostics(diagnostics));
}

/** Line 1, column 1 of a file: where problems with the file as a whole are reported. */
export function fileStart(file: string): SourceLocation {
  return { file, line: 1, col: 1 };
}

/** The file as a whole (printed `FILE:` with no line), for problems no line of it has, such as its size. */
export function wholeFile(file: string): SourceLocation {
  return { file, line: 0, col: 0 };
}
