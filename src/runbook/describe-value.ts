/** How a value found in a file is quoted back to the operator in messages. */

/** `` `abc` (string) ``, `` `5` (number) ``, `a list`, `a mapping`, `nothing (empty value)`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = String(value);
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `\`${shown.replace(/\n/g, '\\n')}\` (${typeof value})`;
}

const TYPE_PHRASES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
};

/** "a string", "a list or a mapping (key: value)" for a JSON Schema `type`. */
export function typePhrase(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_PHRASES[String(t)] ?? String(t)).join(' or ');
}
