/**
 * Terminal styling for the human views (live TTY view, markdown, plan). Colour is a
 * decision made once by the CLI (`NO_COLOR`, not a TTY), so every helper takes it as a
 * flag instead of sniffing the environment itself.
 */

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

function sgr(open: number, close: number): Paint {
  return (text) => (text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const plain: Paint = (text) => text;

/** The palette, with or without colour. */
export function createStyle(color: boolean): Style {
  if (!color) return { color, bold: plain, dim: plain, italic: plain, underline: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    color,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    italic: sgr(3, 23),
    underline: sgr(4, 24),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

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

/** Length of the text as the terminal shows it (SGR codes take no columns). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}
