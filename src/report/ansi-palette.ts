/**
 * Colours of the xterm 256-colour palette for the report's CSS, and the nearest palette
 * entry of a 24-bit colour (so every colour becomes a class: the CSP forbids inline styles).
 * Entries 0–15 follow the light or dark theme; they are CSS variables in the stylesheet.
 */

const CUBE_LEVELS = [0, 95, 135, 175, 215, 255] as const;

/** RGB of palette entries 16–255 (the 6×6×6 cube and the grey ramp). */
export function paletteRgb(index: number): [number, number, number] {
  if (index >= 232) {
    const grey = 8 + 10 * (index - 232);
    return [grey, grey, grey];
  }
  const n = index - 16;
  return [CUBE_LEVELS[Math.floor(n / 36) % 6] ?? 0, CUBE_LEVELS[Math.floor(n / 6) % 6] ?? 0, CUBE_LEVELS[n % 6] ?? 0];
}

/** `#rrggbb` of a palette entry 16–255. */
export function paletteHex(index: number): string {
  return `#${paletteRgb(index).map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

function nearestLevel(value: number): number {
  let best = 0;
  for (let i = 1; i < CUBE_LEVELS.length; i++) {
    if (Math.abs((CUBE_LEVELS[i] ?? 0) - value) < Math.abs((CUBE_LEVELS[best] ?? 0) - value)) best = i;
  }
  return best;
}

const distance = (a: readonly number[], b: readonly number[]): number =>
  (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2 + (a[2]! - b[2]!) ** 2;

/** The palette entry (16–255) closest to a 24-bit colour: the nearest cube colour or grey. */
export function nearestPaletteIndex(r: number, g: number, b: number): number {
  const cube = 16 + 36 * nearestLevel(r) + 6 * nearestLevel(g) + nearestLevel(b);
  const average = (r + g + b) / 3;
  const greyIndex = 232 + Math.max(0, Math.min(23, Math.round((average - 8) / 10)));
  const rgb = [r, g, b];
  return distance(paletteRgb(greyIndex), rgb) < distance(paletteRgb(cube), rgb) ? greyIndex : cube;
}

/** CSS rules for the extended colours a report used (`.xf196`, `.xg232`, …). */
export function extendedColourRules(used: Iterable<string>): string {
  let css = '';
  for (const name of [...used].sort()) {
    const match = /^x([fg])(\d{2,3})$/.exec(name);
    if (!match) continue;
    const index = Number(match[2]);
    if (index < 16 || index > 255) continue;
    css += `.${name}{${match[1] === 'f' ? 'color' : 'background-color'}:${paletteHex(index)}}`;
  }
  return css;
}
