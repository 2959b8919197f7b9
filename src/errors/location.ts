/** A place in a source file, 1-based, as shown to the operator: `FILE:LINE:COL`; line 0 is the file as a whole. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** Formats a location the way editors and terminals make clickable. */
export function formatLocation(location: SourceLocation): string {
  // A problem of the whole file (its size) has no place in it: `FILE: runbook is 3.2 MiB; …`.
  if (location.line === 0) return `${location.file}:`;
  return `${location.file}:${location.line}:${location.col}`;
}
