/** Loading one stored run by id or unique prefix (src/journal/load-run.ts). */
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadRun } from '../../../src/journal/load-run.js';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { failedOrdersRun, recordOrdersRun, RUN } from '../../helpers/orders-run.js';

afterAll(cleanTempDirs);

describe('loadRun', () => {
  it('loads meta, journal, prior state, runbook copy and params; accepts a unique id prefix', () => {
    const state = tempStateDir();
    const writer = recordOrdersRun(state, failedOrdersRun());
    const run = loadRun(state, RUN.slice(0, 12));
    expect(run.runId).toBe(RUN);
    expect(run.state).toBe('rollbackFailed');
    expect(run.durationMs).toBe(9000);
    expect(run.runbookCopy).toBe(`${writer.paths.dir}/runbook/orders.yaml`);
    expect(run.params).toEqual({ version: 'v3', token: '***' });
    expect(run.prior.steps.map((s) => [s.stepId, s.status, s.rolledBack, s.rollbackFailed])).toEqual([
      ['backup', 'succeeded', true, false], ['migrate', 'failed', true, true],
    ]);
  });

  it('rejects unknown, ambiguous and unsafe ids with a UsageError that points at history', () => {
    const state = tempStateDir();
    recordOrdersRun(state, failedOrdersRun(), '20261127T101500.000Z-0001');
    recordOrdersRun(state, failedOrdersRun(), '20261127T101500.000Z-0002');
    const errorOf = (id: string): UsageError => {
      try {
        loadRun(state, id);
      } catch (e) {
        return e as UsageError;
      }
      throw new Error('no error');
    };
    expect(errorOf('20990101').message).toMatch(/No run "20990101"/);
    expect(errorOf('20990101').hint).toContain('stepwise history');
    expect(errorOf('20261127').message).toMatch(/ambiguous/);
    expect(errorOf('../../etc')).toBeInstanceOf(UsageError);
  });
});
