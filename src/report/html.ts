/**
 * The two ways a value enters the report's HTML, and the CSP that lets only the report's
 * own inline style and script run. Every piece of text from a run (output, names, errors,
 * params, notes) goes through {@link escapeText} or {@link escapeAttr}: nothing else.
 */
import { createHash } from 'node:crypto';
import { exactTime } from './format.js';

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', "'": '&#39;' };

/** Text for element content: `&`, `<` and `>` escaped, so markup in it stays text. */
export function escapeText(value: string): string {
  return value.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** Text for a quoted attribute value: also both quotes, so it cannot close the attribute. */
export function escapeAttr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ATTR_ESCAPES[c] ?? c);
}

/** A `<time>` element showing an ISO time exactly (UTC, milliseconds); `-` when there is none. */
export function timeTag(iso: string | undefined): string {
  return iso ? `<time datetime="${escapeAttr(iso)}" title="${escapeAttr(exactTime(iso))}">${escapeText(exactTime(iso))}</time>` : '-';
}

/** The CSP source expression of an inline block: `'sha256-…'` of its exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The policy: nothing from anywhere, except the one inline style and the one inline
 * script, each allowed by its hash. (`frame-ancestors` and `report-uri` are ignored in a
 * meta tag, and Chromium complains about them, so they are not used.)
 */
export function contentSecurityPolicy(style: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(style)}`,
    `script-src ${cspHash(script)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Guards the inline blocks: a literal `</` could end them early (they hold only our own text). */
export function assertInlineSafe(kind: 'style' | 'script', text: string): string {
  if (/<\/(style|script)/i.test(text) || text.includes('<!--')) throw new Error(`inline ${kind} contains an end-tag sequence`);
  return text;
}
