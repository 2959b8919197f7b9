import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { runbookNotes } from '../../../src/report/runbook-notes.js';
import { runStarted, stepStarted } from '../../helpers/engine-events.js';

describe('runbookNotes', () => {
  it('takes the descriptions the journal recorded, without reading the runbook copy', () => {
    const events = [runStarted(['a', 'b'], { description: ' The runbook. \n' }), stepStarted('a', { description: 'Step a.' }), stepStarted('b')];
    // The copy says otherwise: the journal is what the run used, and reading the copy costs a YAML parser.
    const notes = runbookNotes(events, 'description: from the copy\n');
    expect(notes).toEqual({ description: 'The runbook.', steps: new Map([['a', 'Step a.']]) });
  });

  it('for older runs, reads the descriptions of the runbook and its steps from the copy, in every scalar style, as yaml resolves them', () => {
    const text = `name: demo
description: |
  Line one.
    indented <b>two</b>
steps:
  - id: plain
    description: a plain
      folded scalar
  - id: quoted
    description: "tab\\there \\"quoted\\""
  - id: single
    description: 'it''s'
  - { id: flow, description: in a flow map }
  - id: folded
    description: >-
      folded
      lines

      new paragraph
  - id: none
    run: "true"
finally:
  - id: fin
    description: last words
`;
    const notes = runbookNotes([runStarted(['plain'])], text);
    const doc = parse(text) as { description: string; steps: Array<{ id: string; description?: string }>; finally: Array<{ id: string; description: string }> };
    expect(notes.description).toBe(doc.description.trim());
    const expected = new Map([...doc.steps, ...doc.finally].filter((s) => s.description !== undefined).map((s) => [s.id, (s.description ?? '').trim()]));
    expect(notes.steps).toEqual(expected);
    expect(notes.steps.get('quoted')).toBe('tab\there "quoted"');
  });

  it('gives nothing for a missing, broken or unusual copy rather than something wrong', () => {
    expect(runbookNotes([], undefined)).toEqual({ description: undefined, steps: new Map() });
    expect(runbookNotes([], '[not, a, map]').description).toBeUndefined();
    expect(runbookNotes([], 'description: [a list]\nsteps: 3\n')).toEqual({ description: undefined, steps: new Map() });
    // An alias is not followed (its text would be the alias, not the value).
    expect(runbookNotes([], 'x: &d shared\ndescription: *d\n').description).toBeUndefined();
    expect(runbookNotes([], 'description: "unterminated\n').description).not.toBe('unterminated');
  });
});
