/** Inventories: files and inline targets, group forms, nesting with cycle detection, host fields. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ValidationError, type Diagnostic } from '../../../src/errors/stepwise-error.js';
import { throwIfAny } from '../../../src/runbook/diagnostics.js';
import { readInventoryFile } from '../../../src/runbook/inventory.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import type { Inventory } from '../../../src/runbook/model.js';
import { schemaValidators } from '../../../src/runbook/schema-validate.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

/** An inventory file as `--inventory` reads it; throws ValidationError with every problem. */
async function loadInventory(file: string, options: { identityFiles?: boolean } = {}): Promise<Inventory> {
  const diagnostics: Diagnostic[] = [];
  const inventory = readInventoryFile(file, await schemaValidators(), diagnostics, options.identityFiles === true);
  throwIfAny(diagnostics);
  return inventory;
}

/** Problems of an inventory as `run` loads it (identity files checked). */
async function problemsOf(text: string): Promise<string[]> {
  try {
    await loadInventory(dir.write('inv.yaml', text), { identityFiles: true });
  } catch (error) {
    if (error instanceof ValidationError) return error.diagnostics.map((d) => `${d.location.line}:${d.location.col} ${d.path}: ${d.message}`);
    throw error;
  }
  throw new Error('inventory was accepted');
}

describe('inventory files', () => {
  it('builds hosts from strings and mappings, sharing group fields under each host’s own', async () => {
    dir.write('keys/deploy', 'key');
    const inventory = await loadInventory(
      dir.write(
        'inventory.yaml',
        [
          'db:',
          '  - db-1.internal',
          '  - { host: 10.0.0.5, name: db-2, port: 2222, user: postgres, vars: { role: replica, weight: 2 } }',
          'web:',
          '  hosts: [web-1, { host: web-2, user: root }]',
          '  user: deploy',
          '  identity: keys/deploy',
          '  ssh_options: { StrictHostKeyChecking: true, ConnectTimeout: 5, UserKnownHostsFile: ./known_hosts }',
          'all: [db, web, extra-1]',
        ].join('\n'),
      ),
    );
    expect([...inventory.groups.keys()]).toEqual(['db', 'web', 'all']);
    expect(inventory.groups.get('db')?.map((h) => [h.name, h.host, h.port, h.user, h.vars])).toEqual([
      ['db-1.internal', 'db-1.internal', undefined, undefined, {}],
      ['db-2', '10.0.0.5', 2222, 'postgres', { role: 'replica', weight: '2' }],
    ]);
    const [web1, web2] = inventory.groups.get('web') ?? [];
    expect(web1).toMatchObject({ name: 'web-1', user: 'deploy', identity: join(dir.dir, 'keys/deploy') });
    expect(web1?.sshOptions).toEqual({ StrictHostKeyChecking: 'yes', ConnectTimeout: '5', UserKnownHostsFile: join(dir.dir, 'known_hosts') });
    expect(web2).toMatchObject({ name: 'web-2', user: 'root' });
    expect(inventory.groups.get('all')?.map((h) => h.name)).toEqual(['db-1.internal', 'db-2', 'web-1', 'web-2', 'extra-1']);
    expect([...inventory.hosts.keys()]).toEqual(['db-1.internal', 'db-2', 'web-1', 'web-2', 'extra-1']);
  });

  it('finds cycles between groups and groups that list themselves', async () => {
    expect(await problemsOf('a: [b, h1]\nb: [c]\nc: [a]\nself: [self]\nempty: []\n')).toEqual([
      '3:5 c[0]: groups list each other in a circle: a → b → c → a; hint: a group may list other groups, but not in a circle',
      '4:8 self[0]: group `self` lists itself; hint: a group may list other groups, but not in a circle',
      '5:1 empty: group `empty` has no hosts',
    ]);
  });

  it('reserves `local`, rejects ambiguous and conflicting hosts, bad ports and missing keys', async () => {
    expect(await problemsOf('local: [x]\ng: [{ host: a, name: local }, { host: b, name: g2 }]\ng2: [c]\nh: [{ host: h1, port: 0 }]\nk: { hosts: [z], identity: ~/definitely-missing-key }\nd: [{ host: 10.0.0.1, name: same }]\ne: [{ host: 10.0.0.2, name: same }]\n')).toEqual([
      '1:1 local: `local` is the built-in local target and cannot be a group name; hint: rename the group',
      '2:5 g[0]: `local` is the built-in local target and cannot name a host; hint: give the host another `name`',
      '2:31 g[1]: host name `g2` is also a group name, so `on: g2` would be ambiguous; hint: give the host another `name`',
      '4:23 h[0].port: Expected `port` to be at least 1, got `0` (number)',
      expect.stringMatching(/^5:28 k\.identity: identity file ~\/definitely-missing-key \(.*\) does not exist/),
      '7:5 e[0]: host `same` is defined again with different settings (first at line 6); hint: give one of them a distinct `name`',
    ]);
  });

  it('reports schema problems with did-you-mean', async () => {
    expect(await problemsOf('web: { hosts: [a], usr: deploy }\ndb: [{ hots: a }]\n')).toEqual([
      '1:20 web.usr: unknown key `usr`; did you mean `user`?',
      '2:6 db[0]: missing required key `host`',
      '2:8 db[0].hots: unknown key `hots`; did you mean `host`?',
    ]);
  });
});

describe('identity files', () => {
  it('are checked only when a run is about to start, not by validate or plan', async () => {
    const runbook = dir.write('keys.yaml', 'name: keys\ntargets:\n  web: { hosts: [w1], identity: ~/definitely-missing-key }\nsteps:\n  - id: a\n    on: web\n    run: "true"\n');
    const loaded = await loadRunbook(runbook);
    expect(loaded.targets.hosts.get('w1')?.identity).toMatch(/definitely-missing-key$/);
    await expect(loadRunbook(runbook, { forRun: true })).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ location: expect.objectContaining({ line: 3, col: 33 }), path: 'targets.web.identity', message: expect.stringMatching(/identity file ~\/definitely-missing-key \(.*\) does not exist/) })],
    });
    const inventory = dir.write('keys-inv.yaml', 'web: { hosts: [w1], identity: ./nope }\n');
    expect((await loadInventory(inventory)).hosts.get('w1')?.identity).toMatch(/nope$/);
    await expect(loadRunbook(runbook, { inventoryFile: inventory, forRun: true })).rejects.toThrow(/keys-inv\.yaml:1:31 web\.identity: identity file \S*\/nope does not exist/);
  });
});

describe('--inventory with a runbook', () => {
  it('replaces inline targets: `on:` is checked against the file', async () => {
    const runbook = dir.write('rb.yaml', 'name: rb\ntargets: { inline: [i1] }\nsteps:\n  - id: a\n    on: fleet\n    run: "true"\n');
    const inventory = dir.write('fleet.yaml', 'fleet: [f1, f2]\n');
    const loaded = await loadRunbook(runbook, { inventoryFile: inventory });
    expect([...loaded.targets.groups.keys()]).toEqual(['fleet']);
    await expect(loadRunbook(runbook)).rejects.toThrow(/unknown target `fleet`/);
  });

  it('reports inventory-file problems in that file, together with the runbook’s', async () => {
    const runbook = dir.write('rb2.yaml', 'name: rb2\nsteps:\n  - id: a\n    on: fleet\n    run: "true"\n    retyr: 2\n');
    const inventory = dir.write('bad-fleet.yaml', 'fleet: [{ host: f1, port: many }]\n');
    await expect(loadRunbook(runbook, { inventoryFile: inventory })).rejects.toMatchObject({
      diagnostics: [
        expect.objectContaining({ path: 'steps[0].retyr' }),
        expect.objectContaining({ location: expect.objectContaining({ file: expect.stringContaining('bad-fleet.yaml'), line: 1, col: 27 }), path: 'fleet[0].port' }),
      ],
    });
  });
});
