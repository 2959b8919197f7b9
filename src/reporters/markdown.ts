/**
 * Renders the markdown of runbook and step `description`s readably in a terminal:
 * headings, lists, quotes, code, bold, italic and links. Deliberately small and
 * dependency-free: descriptions are short operator notes, not documents, and whatever
 * this does not understand is shown as written, which is still readable.
 */
import { createStyle, sanitize, visibleLength, type Style } from './terminal-style.js';

/** How to render: colour, width and indent. */
export interface MarkdownOptions {
  color: boolean;
  /** Columns to wrap paragraphs to (default 80). */
  width?: number;
  /** Put in front of every line (e.g. to indent under a step title). */
  indent?: string;
}

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;

/** Inline markup: code spans first, so nothing inside them is interpreted. */
export function renderInline(text: string, style: Style): string {
  const parts = text.split(/(`+[^`]*?`+)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) {
        const code = part.replace(/^`+\s?|\s?`+$/g, '');
        return style.color ? style.cyan(code) : `\`${code}\``;
      }
      // Escaped characters are set aside so no rule below can take them as markup.
      const escaped: string[] = [];
      return part
        .replace(/\\([\\`*_{}[\]()#+\-.!>])/g, (_m, char: string) => `\uE000${escaped.push(char) - 1}\uE001`)
        .replace(/<((?:https?|mailto):[^>\s]+)>/g, (_m, url: string) => style.underline(url))
        .replace(/!?\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, label: string, url: string) => (label === url || label === '' ? style.underline(url) : `${style.underline(label)} (${url})`))
        .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, (_m, _d, inner: string) => style.bold(inner))
        .replace(/(^|[^\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)/g, (_m, before: string, inner: string) => before + style.italic(inner))
        .replace(/(^|[^\w_])_(?=\S)([^_]+?)(?<=\S)_(?!\w)/g, (_m, before: string, inner: string) => before + style.italic(inner))
        .replace(/\uE000(\d+)\uE001/g, (_m, index: string) => escaped[Number(index)] ?? '');
    })
    .join('');
}

/** Word-wraps styled text to `width` visible columns; `first` and `rest` prefix the lines. */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && visibleLength(line) + 1 + visibleLength(word) > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

interface Block {
  /** Prefix of the first line and of continuation lines. */
  first: string;
  rest: string;
  text: string;
}

/** Turns markdown into terminal lines. */
export function renderMarkdown(markdown: string, options: MarkdownOptions): string {
  const style = createStyle(options.color);
  const width = Math.max(20, options.width ?? 80);
  const indent = options.indent ?? '';
  const out: string[] = [];
  let block: Block | undefined;
  let fence: string | undefined;

  const flush = () => {
    if (block) out.push(...wrap(renderInline(block.text, style), width, indent + block.first, indent + block.rest));
    block = undefined;
  };
  const blank = () => {
    flush();
    if (out.length > 0 && out[out.length - 1] !== '') out.push('');
  };

  for (const raw of sanitize(markdown).replace(/\t/g, '    ').split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(raw);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1] === fence) {
        fence = undefined;
        blank();
      } else out.push(indent + '    ' + style.dim(raw));
      continue;
    }
    if (fenceMatch) {
      blank();
      fence = fenceMatch[1];
      continue;
    }
    if (raw.trim() === '') {
      blank();
      continue;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      blank();
      const level = heading[1]?.length ?? 1;
      const title = renderInline(heading[2] ?? '', style);
      if (style.color) out.push(indent + (level === 1 ? style.bold(style.underline(title)) : style.bold(title)));
      else {
        out.push(indent + title);
        if (level <= 2) out.push(indent + (level === 1 ? '=' : '-').repeat(Math.min(visibleLength(title), width)));
      }
      continue;
    }
    if (RULE.test(raw)) {
      blank();
      out.push(indent + style.dim('─'.repeat(Math.min(40, width))));
      out.push('');
      continue;
    }
    const quote = QUOTE.exec(raw);
    const bullet = BULLET.exec(raw);
    const ordered = ORDERED.exec(raw);
    if (quote) {
      if (block?.first !== '│ ') flush();
      block ??= { first: '│ ', rest: '│ ', text: '' };
      block.text += ' ' + (quote[1] ?? '');
    } else if (bullet || ordered) {
      flush();
      const depth = Math.floor((bullet?.[1] ?? ordered?.[1] ?? '').length / 2);
      const pad = '  '.repeat(depth + 1);
      const marker = bullet ? `${style.color ? '•' : '-'} ` : `${ordered?.[2] ?? '1'}. `;
      block = { first: pad + marker, rest: pad + ' '.repeat(marker.length), text: (bullet?.[2] ?? ordered?.[3] ?? '').trim() };
    } else if (block && /^\s+\S/.test(raw) && block.first.trim() !== '') {
      // An indented line continues the list item above it.
      block.text += ' ' + raw.trim();
    } else {
      if (block && block.first !== '') flush();
      block ??= { first: '', rest: '', text: '' };
      block.text += ' ' + raw.trim();
    }
  }
  flush();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
