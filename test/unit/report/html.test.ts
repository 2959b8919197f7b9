import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { assertInlineSafe, contentSecurityPolicy, cspHash, escapeAttr, escapeText } from '../../../src/report/html.js';
import { hostileString, seededRandom } from './hostile.js';

const unescape = (html: string): string =>
  html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('escaping', () => {
  it('turns markup into text', () => {
    expect(escapeText('<script>alert("x")</script> & <img src=x onerror=alert(1)>')).toBe('&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(escapeAttr(`x" onmouseover="alert(1)' y`)).toBe('x&quot; onmouseover=&quot;alert(1)&#39; y');
  });

  it('property: escaped text has no markup character left, and unescapes to the input', () => {
    const random = seededRandom(17);
    for (let i = 0; i < 2000; i++) {
      const value = hostileString(random);
      const text = escapeText(value);
      const attr = escapeAttr(value);
      expect(text).not.toMatch(/[<>]/);
      expect(attr).not.toMatch(/[<>"']/);
      // Every & starts one of our entities, so nothing in the value can form another.
      expect(attr.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      expect(unescape(text)).toBe(value);
      expect(unescape(attr)).toBe(value);
    }
  });
});

describe('content security policy', () => {
  it('allows exactly the given style and script, by their sha256', () => {
    const style = 'body{color:red}';
    const script = 'document.title="x";';
    const digest = (t: string) => createHash('sha256').update(t).digest('base64');
    expect(cspHash(script)).toBe(`'sha256-${digest(script)}'`);
    const policy = contentSecurityPolicy(style, script);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain(`style-src 'sha256-${digest(style)}'`);
    expect(policy).toContain(`script-src 'sha256-${digest(script)}'`);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('refuses inline blocks that could end early', () => {
    expect(() => assertInlineSafe('style', 'a{}</style><script>')).toThrow();
    expect(() => assertInlineSafe('script', 'x="</SCRIPT>"')).toThrow();
    expect(assertInlineSafe('style', 'a{}')).toBe('a{}');
  });
});
