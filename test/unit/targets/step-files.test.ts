/**
 * `resume`/`rollback` remove a crashed run's temp directory by its run id, which comes from
 * the user (a command-line argument): hostile run ids must never remove anything but that
 * run's own private directories.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeRunTempFiles } from '../../../src/targets/step-files.js';

import { seededRandom as random } from '../../helpers/seeded-random.js';
import { tempDir } from '../../helpers/temp-dir.js';

const PIECES = ['..', '/', '.', '*', '?', '-', 'stepwise-', 'A', 'z', '0', ' ', '\n', '\0', '%2e', '~', '[a]', 'Ab12Cd', 'é'];

describe('removeRunTempFiles with hostile run ids', () => {
  it('removes only directories named stepwise-<that id>-XXXXXX (1,000 generated ids)', () => {
    const next = random(4242);
    const root = tempDir('stepwise-prop-').dir;
    const sentinels = ['stepwise-keep-Ab12Cd', 'stepwise-Ab12Cd', 'other', 'stepwise--Ab12Cd'];
    for (const name of sentinels) mkdirSync(join(root, name));
    writeFileSync(join(root, 'stepwise-file-Ab12Cd'), 'x');
    for (let i = 0; i < 1000; i++) {
      let runId = '';
      const length = Math.floor(next() * 6);
      for (let j = 0; j < length; j++) runId += PIECES[Math.floor(next() * PIECES.length)];
      removeRunTempFiles(runId, root);
      removeRunTempFiles(runId, join(root, 'other'));
    }
    for (const name of sentinels) expect(existsSync(join(root, name))).toBe(true);
    expect(readdirSync(root).sort()).toEqual([...sentinels, 'stepwise-file-Ab12Cd'].sort());
  });

  it('removes the run\'s own directories', () => {
    const root = tempDir('stepwise-prop-').dir;
    mkdirSync(join(root, 'stepwise-20990101T000000.000Z-ab12-Xy9Zq1'));
    mkdirSync(join(root, 'stepwise-20990101T000000.000Z-ab12-Qq1Ww2'));
    expect(removeRunTempFiles('20990101T000000.000Z-ab12', root)).toBe(2);
    expect(readdirSync(root)).toEqual([]);
  });
});
