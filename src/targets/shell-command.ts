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
      return [file, [...flags, scriptFile]];
    }
  }
}

/** Parses `key=value` lines written to `$STEPWISE_OUTPUT`; the first `=` splits. */
export function parseOutputsFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    outputs[line.slice(0, eq).trim()] = line.slice(eq + 1).replace(/\r$/, '');
  }
  return outputs;
}
