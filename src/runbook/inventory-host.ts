/**
 * One inventory host entry → a Host: group-shared fields under the entry's own, `name`
 * defaulting to `host`, values stringified, key files resolved and checked.
 */
import { existsSync } from 'node:fs';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { formatPath, withHint } from './diagnostics.js';
import { expandHome, resolveFrom } from './paths.js';
import { isRecord } from './raw-types.js';
import type { Locator, PathSegment } from './locator.js';
import type { Host } from './model.js';

/** Settings a group may share with its hosts. */
export interface SharedHostFields {
  port?: unknown;
  user?: unknown;
  identity?: unknown;
  ssh_options?: unknown;
  vars?: unknown;
}

/** Where the entry sits in its file, for messages and relative paths. */
export interface EntryContext {
  locator: Locator;
  baseDir: string;
  diagnostics: Diagnostic[];
  /** Report `identity:` files that do not exist (only when a run is about to start). */
  checkIdentityFiles: boolean;
}

/** OpenSSH options whose values are file paths: `./x` and `~/x` are resolved like `identity`. */
const PATH_OPTIONS = new Set(['userknownhostsfile', 'globalknownhostsfile', 'identityfile', 'certificatefile', 'identityagent']);

/** OpenSSH reads yes/no, so YAML booleans become those words. */
function optionText(value: unknown): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return String(value);
}

function sshOptions(shared: unknown, own: unknown, baseDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of [shared, own]) {
    if (!isRecord(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      let text = optionText(value);
      if (PATH_OPTIONS.has(key.toLowerCase()) && /^(\.{1,2}\/|~\/)/.test(text) && !/\s/.test(text)) text = resolveFrom(baseDir, text);
      out[key] = text;
    }
  }
  return out;
}

function vars(shared: unknown, own: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of [shared, own]) if (isRecord(source)) for (const [key, value] of Object.entries(source)) out[key] = String(value);
  return out;
}

function identity(path: string, at: readonly PathSegment[], context: EntryContext): string {
  const absolute = resolveFrom(context.baseDir, path);
  // A key is needed only to connect: validating on a machine without it is fine.
  if (context.checkIdentityFiles && !existsSync(absolute)) {
    const shown = expandHome(path) === path ? absolute : `${path} (${absolute})`;
    context.diagnostics.push({
      location: context.locator.locate(at),
      path: formatPath(at),
      message: withHint(`identity file ${shown} does not exist`, 'relative paths are resolved against the directory of this file; ~ is your home directory'),
    });
  }
  return absolute;
}

/**
 * Builds a Host from an entry (a string or a mapping) of a group. `sharedAt` is the path of
 * the group mapping when it has shared fields (to locate a shared `identity`).
 */
export function buildHost(entry: unknown, at: readonly PathSegment[], shared: SharedHostFields, sharedAt: readonly PathSegment[] | undefined, context: EntryContext): Host | undefined {
  const own: Record<string, unknown> = typeof entry === 'string' ? { host: entry } : isRecord(entry) ? entry : {};
  if (typeof own.host !== 'string') return undefined;
  const host: Host = {
    name: typeof own.name === 'string' ? own.name : own.host,
    host: own.host,
    sshOptions: sshOptions(shared.ssh_options, own.ssh_options, context.baseDir),
    vars: vars(shared.vars, own.vars),
    location: context.locator.locate(at),
  };
  // Read defensively: this also runs on data that failed the schema, to report everything at once.
  const port = typeof own.port === 'number' ? own.port : typeof shared.port === 'number' ? shared.port : undefined;
  if (port !== undefined) host.port = port;
  const user = typeof own.user === 'string' ? own.user : typeof shared.user === 'string' ? shared.user : undefined;
  if (user !== undefined) host.user = user;
  if (typeof own.identity === 'string') host.identity = identity(own.identity, [...at, 'identity'], context);
  else if (typeof shared.identity === 'string' && sharedAt) host.identity = identity(shared.identity, [...sharedAt, 'identity'], context);
  return host;
}

/** A comparable fingerprint of a host's settings (to spot one name defined two ways). */
export function hostFingerprint(host: Host): string {
  return JSON.stringify([host.host, host.port, host.user, host.identity, host.sshOptions, host.vars]);
}
