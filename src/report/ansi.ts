/**
 * Terminal output to HTML: SGR colour and style sequences become `<span class="…">`, every
 * other escape or control sequence is dropped, and all text is escaped before it is
 * wrapped. Only classes are emitted (never a `style` attribute, which the report's CSP
 * forbids), and only class names built here from numbers, never from the input.
 *
 * Why not a dependency: the maintained converters emit inline `style` attributes for bold,
 * italic or 24-bit colours even in class mode, which the CSP blocks (and reports as
 * violations), and some turn OSC 8 sequences from the output into links.
 */
import { nearestPaletteIndex } from './ansi-palette.js';
import { escapeText } from './html.js';

/** Graphic state set by SGR sequences (colours are palette indexes 0–255). */
interface SgrState {
  fg: number | undefined;
  bg: number | undefined;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  strike: boolean;
}

const plain = (): SgrState => ({ fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false });

/**
 * CSI (7- and 8-bit), OSC up to its terminator, other ESC sequences, a carriage return,
 * other C0/C1 controls, and the bidi controls that could make text read as something else.
 */
// eslint-disable-next-line no-control-regex
const SPECIAL = /\x1b\[([\x30-\x3f]*)[\x20-\x2f]*([\x40-\x7e])|\x9b([\x30-\x3f]*)[\x20-\x2f]*([\x40-\x7e])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[\x20-\x2f]*[\x30-\x7e]?|(\r)|[\x00-\x08\x0b-\x1f\x7f-\x9f]|([\u202a-\u202e\u2066-\u2069])/g;
// eslint-disable-next-line no-control-regex
const HAS_SPECIAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/**
 * Renders lines of one log. SGR state carries from line to line within a stream, as in a
 * terminal; {@link usedClasses} lists the extended colours that need a CSS rule.
 */
export class AnsiRenderer {
  private readonly states = new Map<string, SgrState>();

  /** `usedClasses` collects the extended-palette classes (`xf196`, `xg232`) used, maybe shared by several renderers. */
  constructor(readonly usedClasses: Set<string> = new Set()) {}

  /** Forgets the state of every stream (after a gap in the output). */
  reset(): void {
    this.states.clear();
  }

  /** One line (without its newline) as escaped HTML. `stream` keys the carried state. */
  renderLine(line: string, stream = ''): string {
    const state = this.states.get(stream);
    if (state === undefined && !HAS_SPECIAL.test(line)) return escapeText(line);
    const current = state ?? plain();
    this.states.set(stream, current);
    let out = '';
    let last = 0;
    let afterCarriageReturn = false;
    const visible = (html: string): void => {
      // A terminal shows what follows a carriage return over what came before (progress bars).
      if (afterCarriageReturn) out = '';
      afterCarriageReturn = false;
      out += html;
    };
    const text = (piece: string): void => {
      if (piece !== '') visible(this.wrap(current, escapeText(piece)));
    };
    SPECIAL.lastIndex = 0;
    for (let match = SPECIAL.exec(line); match !== null; match = SPECIAL.exec(line)) {
      text(line.slice(last, match.index));
      last = SPECIAL.lastIndex;
      const params = match[1] ?? match[3];
      const final = match[2] ?? match[4];
      if (final === 'm' && params !== undefined) applySgr(current, params);
      else if (match[5] !== undefined) afterCarriageReturn = true;
      // Shown, not obeyed: a bidi override could make the output read differently than it ran.
      else if (match[6] !== undefined) visible(`<span class="ctl">[U+${match[6].charCodeAt(0).toString(16).toUpperCase()}]</span>`);
    }
    text(line.slice(last));
    return out;
  }

  private wrap(state: SgrState, html: string): string {
    const classes = classesOf(state, this.usedClasses);
    return classes === '' ? html : `<span class="${classes}">${html}</span>`;
  }
}

function classesOf(s: SgrState, used: Set<string>): string {
  let fg = s.fg;
  let bg = s.bg;
  const names: string[] = [];
  if (s.inverse) {
    [fg, bg] = [bg, fg];
    if (fg === undefined) names.push('xfi');
    if (bg === undefined) names.push('xgi');
  }
  if (fg !== undefined) names.push(colourClass('f', fg, used));
  if (bg !== undefined) names.push(colourClass('g', bg, used));
  if (s.bold) names.push('xb');
  if (s.dim) names.push('xd');
  if (s.italic) names.push('xi');
  if (s.underline) names.push('xu');
  if (s.strike) names.push('xs');
  return names.join(' ');
}

function colourClass(kind: 'f' | 'g', index: number, used: Set<string>): string {
  const name = `x${kind}${index}`;
  if (index >= 16) used.add(name);
  return name;
}

/** Applies one SGR parameter string (`1;31`, `38;5;196`, `38:2::255:0:0`) to the state. */
function applySgr(state: SgrState, params: string): void {
  // Sub-parameters (`:`) only occur in extended colours; flatten them, dropping an empty colour-space id.
  const codes = params === '' ? [0] : params.split(';').flatMap((p) => (p.includes(':') ? colonColour(p) : [p === '' ? 0 : Number(p)]));
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? 0;
    if (!Number.isInteger(code)) continue;
    if (code === 0) Object.assign(state, plain());
    else if (code === 1) state.bold = true;
    else if (code === 2) state.dim = true;
    else if (code === 3) state.italic = true;
    else if (code === 4 || code === 21) state.underline = true;
    else if (code === 7) state.inverse = true;
    else if (code === 9) state.strike = true;
    else if (code === 22) state.bold = state.dim = false;
    else if (code === 23) state.italic = false;
    else if (code === 24) state.underline = false;
    else if (code === 27) state.inverse = false;
    else if (code === 29) state.strike = false;
    else if (code >= 30 && code <= 37) state.fg = code - 30;
    else if (code >= 90 && code <= 97) state.fg = code - 90 + 8;
    else if (code === 39) state.fg = undefined;
    else if (code >= 40 && code <= 47) state.bg = code - 40;
    else if (code >= 100 && code <= 107) state.bg = code - 100 + 8;
    else if (code === 49) state.bg = undefined;
    else if (code === 38 || code === 48) {
      const { colour, consumed } = extendedColour(codes, i + 1);
      i += consumed;
      if (colour !== undefined && code === 38) state.fg = colour;
      else if (colour !== undefined) state.bg = colour;
    }
  }
}

/** `38:5:N` → [38, 5, N]; `38:2:CS:R:G:B` or `38:2:R:G:B` → [38, 2, R, G, B]. */
function colonColour(param: string): number[] {
  const parts = param.split(':').map((p) => (p === '' ? NaN : Number(p)));
  if (parts[1] === 2 && parts.length >= 6) return [parts[0] ?? NaN, 2, ...parts.slice(-3)];
  return parts;
}

/** Reads `5;N` or `2;R;G;B` after a 38/48; returns the palette index and how many codes it used. */
function extendedColour(codes: readonly number[], at: number): { colour: number | undefined; consumed: number } {
  const mode = codes[at];
  const byte = (v: number | undefined): v is number => v !== undefined && Number.isInteger(v) && v >= 0 && v <= 255;
  if (mode === 5) {
    const index = codes[at + 1];
    return { colour: byte(index) ? index : undefined, consumed: 2 };
  }
  if (mode === 2) {
    const [r, g, b] = [codes[at + 1], codes[at + 2], codes[at + 3]];
    return { colour: byte(r) && byte(g) && byte(b) ? nearestPaletteIndex(r, g, b) : undefined, consumed: 4 };
  }
  return { colour: undefined, consumed: mode === undefined ? 0 : 1 };
}
