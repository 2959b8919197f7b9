import { describe, expect, it } from '@jest/globals';
import { AnsiRenderer } from '../../../src/report/ansi.js';
import { extendedColourRules, nearestPaletteIndex, paletteHex } from '../../../src/report/ansi-palette.js';
import { hostileString, seededRandom } from './hostile.js';

const render = (line: string) => new AnsiRenderer().renderLine(line);

describe('AnsiRenderer', () => {
  it('renders SGR colours and styles as classes, text escaped', () => {
    expect(render('\u001b[31mred\u001b[0m plain')).toBe('<span class="xf1">red</span> plain');
    expect(render('\u001b[1;92m<b>ok</b>\u001b[22m!')).toBe('<span class="xf10 xb">&lt;b&gt;ok&lt;/b&gt;</span><span class="xf10">!</span>');
    expect(render('\u001b[3;4;9mx')).toBe('<span class="xi xu xs">x</span>');
    expect(render('\u001b[44;37mx\u001b[49;39my')).toBe('<span class="xf7 xg4">x</span>y');
  });

  it('maps 256-colour and 24-bit colours to palette classes (never a style attribute)', () => {
    const renderer = new AnsiRenderer();
    expect(renderer.renderLine('\u001b[38;5;208mo\u001b[48;5;17mb')).toBe('<span class="xf208">o</span><span class="xf208 xg17">b</span>');
    // The background of the line before carries on (same stream), as in a terminal.
    expect(renderer.renderLine('\u001b[38;2;255;0;0mr')).toBe(`<span class="xf${nearestPaletteIndex(255, 0, 0)} xg17">r</span>`);
    expect(renderer.renderLine('\u001b[0;38:2::0:0:255mb')).toBe(`<span class="xf${nearestPaletteIndex(0, 0, 255)}">b</span>`);
    expect([...renderer.usedClasses].sort()).toEqual(['xf196', 'xf208', 'xf21', 'xg17']);
    expect(extendedColourRules(renderer.usedClasses)).toBe(`.xf196{color:${paletteHex(196)}}.xf208{color:${paletteHex(208)}}.xf21{color:${paletteHex(21)}}.xg17{background-color:${paletteHex(17)}}`);
    expect(nearestPaletteIndex(128, 128, 128)).toBe(244);
  });

  it('inverse swaps colours, using the theme colours when none is set', () => {
    expect(render('\u001b[7mx')).toBe('<span class="xfi xgi">x</span>');
    expect(render('\u001b[31;7mx')).toBe('<span class="xfi xg1">x</span>');
  });

  it('carries colour from line to line within a stream, and forgets it on reset', () => {
    const renderer = new AnsiRenderer();
    expect(renderer.renderLine('\u001b[32mstart', 'o')).toBe('<span class="xf2">start</span>');
    expect(renderer.renderLine('still green', 'o')).toBe('<span class="xf2">still green</span>');
    expect(renderer.renderLine('other stream', 'e')).toBe('other stream');
    renderer.reset();
    expect(renderer.renderLine('after a gap', 'o')).toBe('after a gap');
  });

  it('drops other escapes and controls, shows what follows a carriage return, and reveals bidi controls', () => {
    expect(render('\u001b[2K\u001b[1Gabc\u0007\u0000d\u001b(B')).toBe('abcd');
    expect(render('\u001b]8;;javascript:alert(1)\u0007link\u001b]8;;\u0007')).toBe('link');
    expect(render('10%\r50%\r100%')).toBe('100%');
    expect(render('done\r')).toBe('done');
    expect(render('a\u202eb')).toBe('a<span class="ctl">[U+202E]</span>b');
    expect(render('\u009b31mx')).toBe('<span class="xf1">x</span>');
    expect(render('\u001b]0;unterminated title')).toBe('0;unterminated title');
  });

  it('property: hostile input yields only our spans around escaped text', () => {
    const random = seededRandom(4242);
    const renderer = new AnsiRenderer();
    for (let i = 0; i < 3000; i++) {
      const html = renderer.renderLine(hostileString(random), String(i % 3));
      expect(html).not.toContain('style=');
      // Remove the markup the renderer may emit; what is left must be plain escaped text.
      const rest = html.replace(/<span class="(x[a-z0-9]+)( x[a-z0-9]+)*">|<span class="ctl">\[U\+[0-9A-F]+\]<\/span>|<\/span>/g, '');
      expect(rest).not.toMatch(/[<>]/);
      expect(rest.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      // eslint-disable-next-line no-control-regex
      expect(rest).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      const opens = (html.match(/<span /g) ?? []).length;
      expect((html.match(/<\/span>/g) ?? []).length).toBe(opens);
    }
  });
});
