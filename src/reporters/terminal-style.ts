/**
 * Terminal styling for the human views (live TTY view, markdown, plan, prompts) and the
 * stripping of what must not reach a terminal. Colour is a decision made once by the CLI
 * (`NO_COLOR`, not a TTY), so every helper takes it as a flag instead of sniffing the
 * environment itself: Node's `styleText` is told not to look at `process.stdout`.
 */
import { stripVTControlCharacters, styleText } from 'node:util';

/** A text transform that adds (or, without colour, does not add) SGR codes. */
export type Paint = (text: string) => string;

/** The palette the human views use. */
export interface Style {
  readonly color: boolean;
  bold: Paint;
  dim: Paint;
  italic: Paint;
  underline: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

type Format = 'bold' | 'dim' | 'italic' | 'underline' | 'red' | 'green' | 'yellow' | 'cyan';

/** Paints with Node's own codes; empty text stays empty (no codes around nothing). */
function paint(format: Format): Paint {
  return (text) => (text === '' ? text : styleText(format, text, { validateStream: false }));
}

const plain: Paint = (text) => text;

/** The palette, with or without colour. */
export function createStyle(color: boolean): Style {
  if (!color) return { color, bold: plain, dim: plain, italic: plain, underline: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    color,
    bold: paint('bold'),
    dim: paint('dim'),
    italic: paint('italic'),
    underline: paint('underline'),
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
  };
}

// Escape sequences (CSI, and OSC ended by BEL or ST), then any control character left.
// Not `stripVTControlCharacters`: it takes `ESC [2J clear BEL` for one sequence and drops
// the word, and a step's text must never vanish from the screen.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g;

/** True when the text holds an escape sequence or a control character (tab and newline aside). */
export function hasControlCodes(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** Removes escape sequences and control characters, so text from a runbook or a step cannot drive the terminal. */
export function sanitize(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '');
}

/** Length of styled text as the terminal shows it (the SGR codes of `createStyle` take no columns). */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}
