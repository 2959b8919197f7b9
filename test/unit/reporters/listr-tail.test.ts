import { describe, expect, it } from '@jest/globals';
import { OutputTail } from '../../../src/reporters/listr-tail.js';

describe('OutputTail', () => {
  it('keeps only the newest lines, however many arrive', () => {
    const tail = new OutputTail(3);
    for (let chunk = 0; chunk < 1000; chunk++) tail.push(Array.from({ length: 1000 }, (_, i) => `line ${chunk * 1000 + i}`));
    expect(tail.text).toEqual(['line 999997', 'line 999998', 'line 999999']);
    expect(tail.total).toBe(1_000_000);
  });

  it('shortens very long lines and keeps what a carriage return drew last', () => {
    const tail = new OutputTail(5, 10);
    tail.push(['x'.repeat(1_000_000), 'progress 10%\rprogress 99%']);
    expect(tail.text).toEqual(['xxxxxxxxx…', 'progress …']);
  });

  it('strips escape and control codes so output cannot drive the terminal', () => {
    const tail = new OutputTail(5);
    tail.push(['\u001b[31mred\u001b[0m and \u001b[2Jclear\u0007']);
    expect(tail.text).toEqual(['red and clear']);
  });
});
