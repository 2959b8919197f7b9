/** libraryInputs: `with:` rendered at run time, defaults applied, rules checked. */
import { describe, expect, it } from '@jest/globals';
import { libraryInputs } from '../../../src/runbook/library-inputs.js';
import type { LibraryBinding, ParamSpec } from '../../../src/runbook/model.js';

const at = { file: 'steps/wait-for-port.yaml', line: 1, col: 1 };
const inputs: ParamSpec[] = [
  { name: 'host', type: 'string', required: false, default: '127.0.0.1', secret: false, location: at },
  { name: 'port', type: 'integer', required: true, minimum: 1, maximum: 65535, secret: false, location: at },
  { name: 'token', type: 'string', required: false, secret: true, pattern: '^t_', location: at },
];
const binding = (values: LibraryBinding['with']): LibraryBinding => ({ name: 'wait-for-port', file: '/x/wait-for-port.yaml', inputs, with: values });

describe('libraryInputs', () => {
  it('renders templates, coerces them and fills in defaults', () => {
    expect(libraryInputs(binding({ port: '${{ params.port }}' }), () => '5432')).toEqual({ host: '127.0.0.1', port: 5432 });
  });

  it('names the input and the rule, without revealing secrets', () => {
    expect(() => libraryInputs(binding({ port: '${{ params.port }}' }), () => '70000')).toThrow('input `port` of `wait-for-port` breaks rule maximum: must be at most 65535, got `70000`');
    expect(() => libraryInputs(binding({ port: 1, token: '${{ secrets.T }}' }), () => 'hunter2')).toThrow(/token.*pattern.*`\*\*\*` \(secret\)/);
    expect(() => libraryInputs(binding({}), () => '')).toThrow('`wait-for-port` needs input `port`');
  });
});
