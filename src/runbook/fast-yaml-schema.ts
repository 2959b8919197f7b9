/**
 * The js-yaml schema of the fast parser: YAML 1.2 core exactly as the `yaml` package reads
 * it (the same regular expressions, so `on`, `yes` and `2026-01-01` stay strings and `0o17`
 * is 15 in both), plus `<<` merge keys. js-yaml's own CORE_SCHEMA differs in corners (e.g.
 * `!!float 1`), and any difference would make the two parsers disagree on a valid file.
 */
import { FAILSAFE_SCHEMA, Type } from 'js-yaml';

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The tag js-yaml's loader checks to treat a key as a merge (`<<: *defaults`). */
export const MERGE_TAG = 'tag:yaml.org,2002:merge';

const isText = (data: unknown): data is string => typeof data === 'string';

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: unknown) => data === null || (isText(data) && NULL.test(data)),
  construct: () => null,
});

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => isText(data) && BOOL.test(data),
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) => isText(data) && (INT_OCT.test(data) || INT.test(data) || INT_HEX.test(data)),
  construct: (data: string) => (INT_OCT.test(data) ? parseInt(data.slice(2), 8) : INT_HEX.test(data) ? parseInt(data.slice(2), 16) : parseInt(data, 10)),
});

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: unknown) => isText(data) && (FLOAT_NAN.test(data) || FLOAT_EXP.test(data) || FLOAT.test(data)),
  construct: (data: string) => {
    if (!FLOAT_NAN.test(data)) return parseFloat(data);
    if (data.slice(-3).toLowerCase() === 'nan') return NaN;
    return data[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  },
});

// Only a plain `<<` key merges, as in `yaml` (js-yaml's own merge type also takes an empty key).
const mergeType = new Type(MERGE_TAG, { kind: 'scalar', resolve: (data: unknown) => data === '<<' });

/** YAML 1.2 core (as `yaml` resolves it) with merge keys. */
export const FAST_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType, mergeType] });
