/**
 * `stepwise completion bash|zsh|fish`: a script that asks `stepwise __complete` on every Tab
 * (complete-words.ts), so it completes each command's own options, runbook files and the
 * run ids of the state dir. Written here rather than taken from yargs: yargs picks the
 * shell from $SHELL instead of the argument, and its fish script drops the word being typed.
 */
import { writeStdout } from './output.js';

const BASH = `###-begin-stepwise-completions-###
# Tab completion for stepwise in bash. Install: stepwise completion bash >> ~/.bashrc
_stepwise_completions() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <(stepwise __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  # A directory is completed further, not closed with a space.
  if [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == */ ]]; then compopt -o nospace 2>/dev/null; fi
  return 0
}
complete -o default -F _stepwise_completions stepwise
###-end-stepwise-completions-###
`;

const ZSH = `#compdef stepwise
###-begin-stepwise-completions-###
# Tab completion for stepwise in zsh. Install: stepwise completion zsh >> ~/.zshrc (after compinit)
_stepwise() {
  local -a found dirs others
  found=("\${(@f)$(stepwise __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  found=(\${found:#})
  if (( \${#found} == 0 )); then
    _files
    return
  fi
  dirs=(\${(M)found:#*/})
  others=(\${found:#*/})
  (( \${#dirs} )) && compadd -S '' -- "\${dirs[@]}"
  (( \${#others} )) && compadd -- "\${others[@]}"
  return 0
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _stepwise "$@"
else
  compdef _stepwise stepwise
fi
###-end-stepwise-completions-###
`;

const FISH = `###-begin-stepwise-completions-###
# Tab completion for stepwise in fish. Install: stepwise completion fish > ~/.config/fish/completions/stepwise.fish
function __stepwise_complete
    set -l words (commandline -opc)
    set -e words[1]
    stepwise __complete $words (commandline -ct) 2>/dev/null
end
complete -c stepwise -f -a '(__stepwise_complete)'
###-end-stepwise-completions-###
`;

/** The script for `shell`. */
export function completionScript(shell: 'bash' | 'zsh' | 'fish'): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell];
}

/** Prints the script; the parser has already checked `shell` against the choices. */
export function completionCommand(shell: string): Promise<number> {
  writeStdout(completionScript(shell === 'zsh' || shell === 'fish' ? shell : 'bash'));
  return Promise.resolve(0);
}
