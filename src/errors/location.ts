/** A place in a source file, 1-based, as shown to the operator: `FILE:LINE:COL`. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** Formats a location the way editors and terminals make clickable. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.col}`;
}
