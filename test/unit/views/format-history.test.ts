/** The `history` table (src/views/format-history.ts). */
import { describe, expect, it } from '@jest/globals';
import { formatHistory } from '../../../src/views/format-history.js';
import { runStateWord } from '../../../src/reporters/status-words.js';

const id = (n: number): string => `2026112${n}T000000.000Z-000${n}`;

describe('formatHistory', () => {
  it('prints an aligned table', () => {
    const text = formatHistory(
      [
        { runId: id(2), runbook: 'beta', status: 'rollbackFailed', exitCode: 3, startedAt: '2026-11-22T10:00:00.123Z', durationMs: 65_000 },
        { runId: id(1), runbook: 'alpha', status: 'succeeded', exitCode: 0, startedAt: '2026-11-21T10:00:00.000Z', durationMs: 800 },
      ],
      { runsDir: '/s/runs', stateWord: runStateWord },
    );
    expect(text).toBe(
      [
        'RUN ID                     RUNBOOK  STATUS                    STARTED               DURATION',
        `${id(2)}  beta     rollback failed (exit 3)  2026-11-22T10:00:00Z  1m05s`,
        `${id(1)}  alpha    succeeded                 2026-11-21T10:00:00Z  800ms`,
        '',
      ].join('\n'),
    );
  });
  it('says when there is nothing', () => {
    expect(formatHistory([], { runsDir: '/s/runs', runbook: 'x' })).toBe('No runs of runbook "x" in /s/runs.\n');
    expect(formatHistory([], { runsDir: '/s/runs', filters: ['--status failed', '--since 7d'] })).toBe('No runs matching --status failed --since 7d in /s/runs.\n');
  });
});
