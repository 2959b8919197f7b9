/**
 * /proc/PID/stat is read to decide which processes a step owns, and a process names itself:
 * its command name is hostile input (any bytes but NUL, up to 15, parentheses and spaces
 * included). A seeded generator throws such names at the parser.
 */
import { describe, expect, it } from '@jest/globals';
import { parseStat } from '../../../src/targets/process-tree.js';

import { seededRandom as random } from '../../helpers/seeded-random.js';

const HOSTILE = [' ', '(', ')', ') ', ' (', '\n', '\t', 'Z', 'S', 'R', '0', '1', '9', '-', 'x', ') Z 1 1 1', '\u00ff', '\\', '"'];

describe('parseStat', () => {
  it('reads state, group and session whatever the command name holds (2,000 generated names)', () => {
    const next = random(20261126);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
    for (let i = 0; i < 2000; i++) {
      let comm = '';
      while (comm.length < 1 + Math.floor(next() * 15)) comm += pick(HOSTILE);
      comm = comm.slice(0, 15);
      const state = pick(['R', 'S', 'D', 'Z', 'T', 'X', 'I']);
      const pgid = 1 + Math.floor(next() * 4_194_303);
      const sid = 1 + Math.floor(next() * 4_194_303);
      const line = `${1 + Math.floor(next() * 99999)} (${comm}) ${state} ${Math.floor(next() * 99999)} ${pgid} ${sid} 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 5226 2170880 230 18446744073709551615\n`;
      expect({ line, parsed: parseStat(line) }).toEqual({ line, parsed: { comm, state, pgid, sid } });
    }
  });

  it('refuses text that is not a stat line', () => {
    for (const text of ['', '123', '123 (abc', ')(', '1 (x) ']) expect(parseStat(text)).toBeUndefined();
  });
});
