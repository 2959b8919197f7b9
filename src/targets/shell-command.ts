/** How each shell is started on a script file (SPEC §2: bash strict mode, `sh -e`). Shared by local and SSH. */
export function shellCommand(shell: string, scriptFile: string): [string, string[]] {
  switch (shell) {
    case 'bash':
      return ['bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile]];
    case 'sh':
      return ['sh', ['-e', scriptFile]];
    default: {
      // A custom interpreter, possibly with flags: `python3 -u`.
      const [file = shell, ...flags] = shell.trim().split(/\s+/);
      // Node resolves its main script's real path, which a script reached as /dev/fd/N (an
      // unlinked file, locally) does not have; keep the path as given.
      if (/(^|\/)node(js)?$/.test(file) && !flags.includes('--preserve-symlinks-main')) flags.push('--preserve-symlinks-main');
      return [file, [...flags, scriptFile]];
    }
  }
}

/**
 * Parses `key=value` lines written to `$STEPWISE_OUTPUT` (local and remote alike): the first
 * `=` splits, lines without a key are ignored, the last write of a key wins.
 */
export function parseOutputsFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (key === '') continue;
    // defineProperty: a key such as `__proto__` must become data, not a prototype.
    Object.defineProperty(outputs, key, { value: line.slice(eq + 1).replace(/\r$/, ''), enumerable: true, writable: true, configurable: true });
  }
  return outputs;
}
