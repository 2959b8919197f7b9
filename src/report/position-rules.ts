/**
 * Positions of timeline bars as CSS classes in the report's one stylesheet: the CSP allows
 * no `style` attribute, and the stylesheet is hashed after it is complete. Only numbers
 * computed here go into these rules, never text from the run.
 */

const percent = (value: number): string => {
  const clamped = Math.min(100, Math.max(0, Number.isFinite(value) ? value : 0));
  return String(Math.round(clamped * 1000) / 1000);
};

/** Collects `left`/`width` rules; equal positions share one class. */
export class PositionRules {
  private readonly classes = new Map<string, string>();
  private css = '';

  /** A class that puts an element at `left`% (and `width`% wide) of its positioned parent. */
  place(left: number, width?: number): string {
    const declaration = `left:${percent(left)}%${width === undefined ? '' : `;width:${percent(width)}%`}`;
    let name = this.classes.get(declaration);
    if (name === undefined) {
      name = `p${this.classes.size.toString(36)}`;
      this.classes.set(declaration, name);
      this.css += `.${name}{${declaration}}`;
    }
    return name;
  }

  /** The rules collected so far. */
  text(): string {
    return this.css;
  }
}
