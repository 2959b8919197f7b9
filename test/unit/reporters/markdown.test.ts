import { describe, expect, it } from '@jest/globals';
import { renderInline, renderMarkdown } from '../../../src/reporters/markdown.js';
import { createStyle } from '../../../src/reporters/terminal-style.js';

const plain = (md: string, width = 80) => renderMarkdown(md, { color: false, width });

describe('markdown for the terminal', () => {
  it('renders headings, paragraphs, lists, quotes and code without colour', () => {
    const md = [
      '# Orders migration',
      '',
      'Migrates the **orders** schema.',
      'Takes ~2 min of *write* downtime; see `docs/orders.md`.',
      '',
      '## Steps',
      '- back up',
      '- migrate',
      '  (with retries)',
      '  * nested',
      '1. first',
      '2) second',
      '',
      '> Call the DBA',
      '> before prod.',
      '',
      '```sh',
      'psql -c "select 1"',
      '```',
      '',
      '---',
      'Read [the guide](https://example.invalid/guide) or <https://example.invalid>.',
    ].join('\n');
    expect(plain(md, 100)).toBe(
      [
        'Orders migration',
        '================',
        '',
        'Migrates the orders schema. Takes ~2 min of write downtime; see `docs/orders.md`.',
        '',
        'Steps',
        '-----',
        '  - back up',
        '  - migrate (with retries)',
        '    - nested',
        '  1. first',
        '  2. second',
        '',
        '│ Call the DBA before prod.',
        '',
        '    psql -c "select 1"',
        '',
        '────────────────────────────────────────',
        '',
        'Read the guide (https://example.invalid/guide) or https://example.invalid.',
      ].join('\n'),
    );
  });

  it('styles with SGR codes when colour is on', () => {
    const style = createStyle(true);
    expect(renderInline('a **b** *c* `d` [e](f)', style)).toBe('a \u001b[1mb\u001b[22m \u001b[3mc\u001b[23m \u001b[36md\u001b[39m \u001b[4me\u001b[24m (f)');
    expect(renderMarkdown('# Title', { color: true })).toBe('\u001b[1m\u001b[4mTitle\u001b[24m\u001b[22m');
    expect(renderMarkdown('- item', { color: true })).toBe('  • item');
  });

  it('leaves identifiers with underscores and stars in code alone', () => {
    expect(plain('set max_wal_size and my_var_name; `a*b*c` stays')).toBe('set max_wal_size and my_var_name; `a*b*c` stays');
    expect(plain('2 * 3 * 4 is math')).toBe('2 * 3 * 4 is math');
    expect(plain('escaped \\*not italic\\*')).toBe('escaped *not italic*');
  });

  it('wraps paragraphs and list items to the width (indent included)', () => {
    const out = renderMarkdown('one two three four five six seven eight nine ten\n- alpha beta gamma delta epsilon zeta eta', { color: false, width: 24, indent: '> ' });
    expect(out.split('\n')).toEqual(['> one two three four', '> five six seven eight', '> nine ten', '>   - alpha beta gamma', '>     delta epsilon zeta', '>     eta']);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(24);
  });

  it('cannot drive the terminal: escape sequences in a description are removed', () => {
    expect(plain('safe \u001b[2J\u001b]0;title\u0007text\u0007')).toBe('safe text');
  });

  it('is empty for an empty description and trims blank lines', () => {
    expect(plain('')).toBe('');
    expect(plain('\n\n  \nhello\n\n\n')).toBe('hello');
  });
});
