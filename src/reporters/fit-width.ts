/**
 * Lines the live view leaves on screen are broken to the terminal's width by us, so the
 * terminal never wraps one itself in the middle of a run id, a command or a path. Parts
 * separated by two spaces (`title  run ID · exit 1`) move to the next line whole; only a
 * part wider than the line is broken, at single spaces. A single word wider than the
 * terminal stays whole on a line of its own.
 */
import { visibleLength } from './terminal-style.js';

/** Greedy packing of `pieces` joined by their gaps; a new line starts with `indent`. */
function pack(pieces: Array<{ gap: string; text: string }>, width: number, indent: string, lines: string[], start: string): string {
  let current = start;
  for (const { gap, text } of pieces) {
    const empty = current.trim() === '';
    if (!empty && visibleLength(current) + gap.length + visibleLength(text) > width) {
      lines.push(current);
      current = indent + text;
    } else current += (empty ? '' : gap) + text;
  }
  return current;
}

/** Breaks `line` into lines of at most `width` columns; continuation lines start with `indent`. */
export function fitWidth(line: string, width: number, indent = '  '): string[] {
  if (width <= 0 || visibleLength(line) <= width) return [line];
  const lead = /^ */.exec(line)?.[0] ?? '';
  const parts = line.slice(lead.length).split(/( {2,})/);
  const lines: string[] = [];
  let current = lead;
  for (let i = 0; i < parts.length; i += 2) {
    const segment = parts[i] ?? '';
    if (segment === '') continue;
    const gap = i === 0 ? '' : (parts[i - 1] ?? '  ');
    const empty = current.trim() === '';
    const fits = visibleLength(current) + (empty ? 0 : gap.length) + visibleLength(segment) <= width;
    if (fits) {
      current += (empty ? '' : gap) + segment;
      continue;
    }
    // The segment does not fit here: on a line of its own if it fits there, else word by word.
    if (!empty) {
      lines.push(current);
      current = indent;
    }
    if (visibleLength(indent) + visibleLength(segment) <= width || !segment.includes(' ')) current += segment;
    else current = pack(segment.split(/( )/).flatMap((w, j, all) => (j % 2 === 0 && w !== '' ? [{ gap: all[j - 1] ?? ' ', text: w }] : [])), width, indent, lines, current);
  }
  if (current.trim() !== '') lines.push(current);
  return lines;
}

/** {@link fitWidth} for every line, continuation lines indented two more than the line's own indent. */
export function fitAll(lines: readonly string[], width: number, indent = '  '): string[] {
  return lines.flatMap((line) => {
    const lead = /^ */.exec(line)?.[0] ?? '';
    return fitWidth(line, width, lead + indent);
  });
}
