/**
 * The last few lines of a step's output, for the live view. A step may print gigabytes:
 * only `size` lines of at most `maxLineLength` characters are kept, so memory and redraw
 * cost stay flat however much arrives.
 */
import { sanitize } from './terminal-style.js';

/** A bounded tail of output lines. */
export class OutputTail {
  private readonly lines: string[] = [];
  /** Every line ever pushed (the rest went only to the log files). */
  total = 0;

  constructor(
    private readonly size: number,
    private readonly maxLineLength = 400,
  ) {}

  /** Keeps the newest lines; a carriage return keeps only what was drawn last on that line. */
  push(lines: readonly string[]): void {
    // Only the last `size` can survive, so skip the rest without touching them.
    const from = Math.max(0, lines.length - this.size);
    this.total += lines.length;
    for (let i = from; i < lines.length; i++) {
      const raw = lines[i] ?? '';
      const visible = raw.slice(raw.lastIndexOf('\r') + 1, raw.lastIndexOf('\r') + 1 + this.maxLineLength * 4);
      const clean = sanitize(visible);
      this.lines.push(clean.length > this.maxLineLength ? `${clean.slice(0, this.maxLineLength - 1)}…` : clean);
    }
    if (this.lines.length > this.size) this.lines.splice(0, this.lines.length - this.size);
  }

  /** The kept lines, oldest first. */
  get text(): string[] {
    return [...this.lines];
  }
}
