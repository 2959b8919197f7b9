/**
 * Every key a user can write in a runbook, a library step or an inventory has a description in
 * the JSON Schema (editors show it on hover): each entry of every `properties`, and the
 * schema of every key the user names (`additionalProperties`: env variables, params, secrets,
 * groups…), at every depth, in `definitions` too. Conditional parts (`if`/`then`, `allOf`,
 * `not`, `dependencies`) only constrain keys declared elsewhere; that they declare no key of
 * their own is checked too, so skipping them hides nothing.
 */
import { describe, expect, it } from '@jest/globals';
import { schema, type SchemaNode } from '../../../src/runbook/schema-file.js';

/** Subschemas that constrain keys declared in their object's own `properties`. */
const CONDITIONAL = ['if', 'then', 'else', 'not', 'allOf', 'anyOf', 'oneOf', 'dependencies'];

const isNode = (value: unknown): value is SchemaNode => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A schema that a user writes a key's value against, and where it is (a JSON pointer). */
interface KeySchema {
  pointer: string;
  node: unknown;
}

/** The key schemas under `node` (not inside conditional parts), at every depth. */
function keySchemas(node: unknown, pointer: string): KeySchema[] {
  if (!isNode(node)) return [];
  const found: KeySchema[] = [];
  for (const [name, child] of Object.entries(isNode(node.properties) ? node.properties : {})) {
    found.push({ pointer: `${pointer}/properties/${name}`, node: child }, ...keySchemas(child, `${pointer}/properties/${name}`));
  }
  if (isNode(node.additionalProperties)) {
    found.push({ pointer: `${pointer}/additionalProperties`, node: node.additionalProperties }, ...keySchemas(node.additionalProperties, `${pointer}/additionalProperties`));
  }
  for (const [name, child] of Object.entries(isNode(node.definitions) ? node.definitions : {})) found.push(...keySchemas(child, `${pointer}/definitions/${name}`));
  if (isNode(node.items)) found.push(...keySchemas(node.items, `${pointer}/items`));
  return found;
}

/** Pointers of key schemas without a non-empty description. */
function undescribed(root: unknown): string[] {
  return keySchemas(root, '')
    .filter(({ node }) => !isNode(node) || typeof node.description !== 'string' || node.description.trim() === '')
    .map(({ pointer }) => pointer);
}

/** Keys named by `properties` inside the conditional parts of `node`, with their pointers. */
function conditionalKeys(node: unknown, pointer: string): Array<{ pointer: string; key: string }> {
  if (!isNode(node)) return [];
  const found: Array<{ pointer: string; key: string }> = [];
  const visit = (sub: unknown, at: string) => {
    if (Array.isArray(sub)) sub.forEach((item, index) => visit(item, `${at}/${index}`));
    else if (isNode(sub)) {
      for (const key of Object.keys(isNode(sub.properties) ? sub.properties : {})) found.push({ pointer: at, key });
      for (const [name, child] of Object.entries(sub)) if (name !== 'properties') visit(child, `${at}/${name}`);
    }
  };
  for (const keyword of CONDITIONAL) visit(node[keyword], `${pointer}/${keyword}`);
  return found;
}

describe('runbook.schema.json describes every key', () => {
  it('finds the keys it checks (the walk reaches every depth)', () => {
    const pointers = keySchemas(schema(), '').map((k) => k.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/properties/name',
        '/properties/secrets/additionalProperties',
        '/definitions/step/properties/retry',
        '/definitions/retry/properties/maxDelay',
        '/definitions/param/properties/pattern',
        '/definitions/hostEntry/properties/ssh_options',
        '/definitions/group/properties/hosts',
        '/definitions/inventory/additionalProperties',
        '/definitions/libraryStep/properties/inputs',
        '/definitions/check/properties/after',
      ]),
    );
  });

  it('every key has a non-empty description', () => {
    expect(undescribed(schema())).toEqual([]);
  });

  it('a key missing its description is named (the check can fail)', () => {
    const broken = structuredClone(schema());
    const retry = ((broken.definitions as SchemaNode).retry as SchemaNode).properties as Record<string, SchemaNode>;
    delete retry.backoff?.description;
    (broken.properties as Record<string, SchemaNode>).lock = { type: 'string', description: '  ' };
    expect(undescribed(broken)).toEqual(['/properties/lock', '/definitions/retry/properties/backoff']);
  });

  it('conditional parts name only keys their object declares (and so describes)', () => {
    const root = schema();
    const objects = [
      { pointer: '', node: root as unknown },
      ...Object.entries(root.definitions as SchemaNode).map(([name, node]) => ({ pointer: `/definitions/${name}`, node })),
      ...keySchemas(root, ''),
    ];
    const stray = objects.flatMap(({ pointer, node }) => {
      const declared = new Set(isNode(node) && isNode(node.properties) ? Object.keys(node.properties) : []);
      return conditionalKeys(node, pointer).filter(({ key }) => !declared.has(key));
    });
    expect(stray).toEqual([]);
    // The step's confirm rule is one such part: the walk does look inside them.
    expect(conditionalKeys((root.definitions as SchemaNode).step, '/definitions/step').map((k) => k.key)).toContain('rollback');
  });
});
