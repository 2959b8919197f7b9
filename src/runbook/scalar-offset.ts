/**
 * Where a character of a scalar's value is written in the file, shared by both locators so
 * they agree. Quoting and folding make the value differ from the source, so the offset is
 * anchored on the nth `${{` (what expression diagnostics point at), which reads the same in
 * every scalar style; elsewhere only a plain scalar maps offsets one to one.
 */

/** A scalar as written: its source range and whether it is plain (unquoted, not a block). */
export interface WrittenScalar {
  start: number;
  end: number;
  plain: boolean;
}

/** File offset of character `offset` of `value`, the value of `scalar` in `text`. */
export function scalarOffset(text: string, scalar: WrittenScalar, value: string, offset: number): number {
  const anchor = value.lastIndexOf('${{', offset);
  if (anchor < 0) return scalar.plain ? scalar.start + offset : scalar.start;
  const source = text.slice(scalar.start, scalar.end);
  let nth = 0;
  for (let i = value.indexOf('${{'); i >= 0 && i < anchor; i = value.indexOf('${{', i + 3)) nth++;
  let at = source.indexOf('${{');
  for (let n = 0; n < nth && at >= 0; n++) at = source.indexOf('${{', at + 3);
  if (at < 0) return scalar.start;
  return scalar.start + at + (offset - anchor);
}
