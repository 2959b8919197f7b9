/**
 * Which later steps use a step's outputs (so `--step` warns before a skip), and which
 * references only a run can know (so `plan --check` does not run such a check).
 */
import { describe, expect, it } from '@jest/globals';
import { commandReferences, outputUsers, runTimeReferences } from '../../../src/cli/step-references.js';
import { command, runbook, step } from '../../helpers/model.js';

describe('step references', () => {
  it('finds every later step (and finally step) using steps.X.outputs, wherever it refers to it', () => {
    const book = runbook(
      [
        step({ id: 'make', run: 'echo path=/x >> $STEPWISE_OUTPUT' }),
        step({ id: 'by-script', run: 'cat "${{ steps.make.outputs.path }}"' }),
        step({ id: 'by-env', run: 'cat "$P"', command: { env: { P: '${{ steps.make.outputs.path }}' } } }),
        step({ id: 'by-when', run: 'true', when: "steps.make.outputs.path != ''" }),
        step({ id: 'by-status', run: 'true', when: "steps.make.status == 'succeeded'" }),
        step({ id: 'by-rollback', run: 'true', rollback: 'rm -f "${{ steps.make.outputs.path }}"' }),
        step({ id: 'by-confirm', confirm: 'Keep ${{ steps.make.outputs.path }}?' }),
        step({ id: 'unrelated', run: 'echo hi' }),
      ],
      { finally: [step({ id: 'tell', run: 'echo ${{ steps.make.outputs.path }} ${{ steps.make.outputs.size }}' })] },
    );
    expect(outputUsers(book, 'make')).toEqual([
      { stepId: 'by-script', references: ['steps.make.outputs.path'] },
      { stepId: 'by-env', references: ['steps.make.outputs.path'] },
      { stepId: 'by-when', references: ['steps.make.outputs.path'] },
      { stepId: 'by-rollback', references: ['steps.make.outputs.path'] },
      { stepId: 'by-confirm', references: ['steps.make.outputs.path'] },
      { stepId: 'tell', references: ['steps.make.outputs.path', 'steps.make.outputs.size'] },
    ]);
    expect(outputUsers(book, 'unrelated')).toEqual([]);
  });

  it('a library step’s with: values count (its script only sees inputs.*)', () => {
    const library = { name: 'wait-for-port', file: '/lib/wait-for-port.yaml', inputs: [], with: { host: '${{ steps.make.outputs.host }}', port: 5432 } };
    const book = runbook([step({ id: 'make' }), step({ id: 'wait', run: 'probe "${{ inputs.host }}"', command: { library } })]);
    expect(outputUsers(book, 'make')).toEqual([{ stepId: 'wait', references: ['steps.make.outputs.host'] }]);
  });

  it('what only a run can know: results of steps and the run id or status, not params or env', () => {
    const refs = commandReferences(command('test -e "${{ steps.make.outputs.path }}" && echo ${{ params.who }} ${{ run.id }} ${{ run.runbook }} ${{ env.HOME }}', { env: { S: '${{ run.status }}' } }));
    expect(runTimeReferences(refs)).toEqual(['steps.make.outputs.path', 'run.id', 'run.status']);
    expect(runTimeReferences(commandReferences(command('test -d "${{ params.dir }}"')))).toEqual([]);
  });
});
