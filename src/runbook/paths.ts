/** Path helpers shared by the loaders: what the operator sees, `~`, and relative paths. */
import { homedir } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';

/** A path as shown in diagnostics: relative to the working directory when inside it, else absolute. */
export function displayPath(absolute: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/** The home directory `~` stands for: $HOME as the shell would use it, else the account's. */
function home(): string {
  return process.env.HOME || homedir();
}

/** Expands a leading `~/` (or a lone `~`) to the home directory; `~user` is left alone. */
export function expandHome(path: string): string {
  if (path === '~') return home();
  if (path.startsWith('~/')) return resolve(home(), path.slice(2));
  return path;
}

/** Resolves a path written in a file: `~` expanded, relative paths against that file's directory. */
export function resolveFrom(baseDir: string, path: string): string {
  return resolve(baseDir, expandHome(path));
}
