/**
 * Character offset → 1-based line and column, counted the way the `yaml` package's
 * LineCounter counts them (lines end at `\n`; columns in UTF-16 units), so both parsers
 * report the same places. Line starts are found on first use: a valid file needs few.
 */
import type { SourceLocation } from '../errors/location.js';
import { IntList } from './int-list.js';

/** Line and column lookups over one text. */
export class LinePositions {
  private starts: IntList | undefined;

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  private lineStarts(): IntList {
    if (this.starts) return this.starts;
    const starts = new IntList(this.text.length / 32);
    starts.push(0);
    for (let at = this.text.indexOf('\n'); at >= 0; at = this.text.indexOf('\n', at + 1)) starts.push(at + 1);
    this.starts = starts;
    return starts;
  }

  /** The location of character `offset`. */
  position(offset: number): SourceLocation {
    const { values, length } = this.lineStarts();
    let low = 0;
    let high = length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((values[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { file: this.file, line: low + 1, col: offset - (values[low] as number) + 1 };
  }
}
