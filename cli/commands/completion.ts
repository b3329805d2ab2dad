import { Argument, Command, type Option } from 'commander';
import type { Io } from '../output';

/** The shells a completion script is made for. */
export const SHELLS = ['bash', 'zsh'] as const;
/** One of SHELLS. */
export type Shell = (typeof SHELLS)[number];

/** A command of the tree, by the words that lead to it (`''` for the program itself, `pets list`, ...). */
interface Node {
  path: string;
  command: Command;
}

function walk(command: Command, path: string, nodes: Node[] = []): Node[] {
  nodes.push({ path, command });
  for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name(), nodes);
  return nodes;
}

/** Shell single quotes around any text. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

const visibleOptions = (command: Command): readonly Option[] => command.options.filter((o) => !o.hidden);
const flagsOf = (option: Option): string[] => [option.long, option.short].filter((f): f is string => Boolean(f));

/** What completes an option's value: its choices, files (for <path> and <file> values), anything (`__value__`), or '' for a flag. */
function valueHint(option: Option): string {
  if (!option.required && !option.optional) return '';
  if (option.argChoices?.length) return option.argChoices.join(' ');
  return /<(path|file)>|\[(path|file)\]/.test(option.flags) ? '__files__' : '__value__';
}

/**
 * The data both shells' scripts read, as POSIX `case` functions generated from the command tree:
 * subcommands and options per command path, what each option's value is, and argument choices.
 */
function dataFunctions(root: Command, fn: string): string {
  const nodes = walk(root, '');
  // The program's options work after any subcommand too; --version only makes sense on its own.
  const globals = visibleOptions(root).filter((o) => o.long !== '--version');
  const lines: string[] = [];
  const caseFunction = (name: string, subject: string, entries: [pattern: string, words: string][]) => {
    lines.push(`${fn}_${name}() {`, `  case ${subject} in`);
    // printf, not echo: a word list may start with a dash.
    for (const [pattern, words] of entries) if (words) lines.push(`    ${pattern}) printf '%s\\n' ${sq(words)} ;;`);
    lines.push('  esac', '}');
  };
  caseFunction(
    'subcommands',
    '"$1"',
    nodes.map(({ path, command }) => [sq(path), command.commands.map((c) => c.name()).join(' ')]),
  );
  // Every command also takes the program's own options (--api-url, --token, ...) and --help.
  caseFunction(
    'options',
    '"$1"',
    nodes.map(({ path, command }) => [sq(path), [...visibleOptions(command), ...(command === root ? [] : globals)].flatMap(flagsOf).concat('--help', '-h').join(' ')]),
  );
  caseFunction('option_values', '"$1|$2"', [
    ...nodes.flatMap(({ path, command }) =>
      command === root ? [] : visibleOptions(command).flatMap((o) => flagsOf(o).map((flag): [string, string] => [sq(`${path}|${flag}`), valueHint(o)])),
    ),
    ...globals.flatMap((o) => flagsOf(o).map((flag): [string, string] => [`*${sq(`|${flag}`)}`, valueHint(o)])),
  ]);
  caseFunction(
    'arguments',
    '"$1"',
    nodes.map(({ path, command }) => [sq(path), command.registeredArguments.flatMap((a) => a.argChoices ?? []).join(' ')]),
  );
  return lines.join('\n');
}

/** Walks the words typed so far: the command path they name, and whether the last one is an option awaiting its value. */
const pathLoop = (fn: string, first: string, wordsVar: string, currentVar: string, split: (cmd: string) => string) => `  for ((i = ${first}; i < ${currentVar}; i++)); do
    word="\${${wordsVar}[i]}"
    if ((skip)); then skip=0; continue; fi
    if [[ "$word" == -* ]]; then
      [[ "$word" != *=* && -n "$(${fn}_option_values "$cmdpath" "$word")" ]] && skip=1
      continue
    fi
    for sub in ${split(`${fn}_subcommands "$cmdpath"`)}; do
      if [[ "$sub" == "$word" ]]; then cmdpath="\${cmdpath:+$cmdpath }$word"; break; fi
    done
  done`;

function bashScript(root: Command): string {
  const name = root.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  return `# bash completion for ${name}, generated from its command tree by \`${name} completion bash\`.
# Load it with:  source <(${name} completion bash)
${dataFunctions(root, fn)}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath='' word sub i values skip=0
  COMPREPLY=()
${pathLoop(fn, '1', 'COMP_WORDS', 'COMP_CWORD', (cmd) => `$(${cmd})`)}
  if ((skip)); then
    values="$(${fn}_option_values "$cmdpath" "$prev")"
    case "$values" in
      __files__) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
      __value__) ;;
      *) COMPREPLY=($(compgen -W "$values" -- "$cur")) ;;
    esac
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_subcommands "$cmdpath") $(${fn}_arguments "$cmdpath")" -- "$cur"))
  fi
  return 0
}
complete -F ${fn} ${name}
`;
}

function zshScript(root: Command): string {
  const name = root.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  // `path` is special in zsh (it is $PATH as an array): the walk keeps its command path in cmdpath.
  return `#compdef ${name}
# zsh completion for ${name}, generated from its command tree by \`${name} completion zsh\`.
# Load it with:  source <(${name} completion zsh)   (after compinit)
# or install it: ${name} completion zsh > "\${fpath[1]}/${fn}"
${dataFunctions(root, fn)}
${fn}() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" cmdpath='' word sub i values skip=0
${pathLoop(fn, '2', 'words', 'CURRENT', (cmd) => `\${=$(${cmd})}`)}
  if ((skip)); then
    values="$(${fn}_option_values "$cmdpath" "$prev")"
    case "$values" in
      __files__) _files ;;
      __value__) _message 'value' ;;
      *) compadd -- \${=values} ;;
    esac
    return
  fi
  if [[ "$cur" == -* ]]; then
    compadd -- \${=$(${fn}_options "$cmdpath")}
  else
    compadd -- \${=$(${fn}_subcommands "$cmdpath")} \${=$(${fn}_arguments "$cmdpath")}
  fi
}
if [ "$funcstack[1]" = "${fn}" ]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

/** The completion script for a shell, from the command tree below `root`: every command, subcommand and option. */
export function completionScript(root: Command, shell: Shell): string {
  return shell === 'bash' ? bashScript(root) : zshScript(root);
}

/** `petstore completion bash|zsh`: prints a shell completion script. */
export function completionCommand(io: Io): Command {
  return new Command('completion')
    .description('print a shell completion script for every petstore command and option')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText(
      'after',
      '\nThe script is generated from the command tree, so it always matches this version of petstore.\n\n' +
        'Example:\n  $ source <(petstore completion bash)                    # this bash session; add the line to ~/.bashrc to keep it\n' +
        '  $ source <(petstore completion zsh)                     # zsh, after compinit (e.g. in ~/.zshrc)\n' +
        '  $ petstore completion zsh > "${fpath[1]}/_petstore"     # or install it for zsh',
    )
    .action((shell: Shell, _options: unknown, command: Command) => {
      let root = command;
      while (root.parent) root = root.parent;
      io.out(completionScript(root, shell).trimEnd());
    });
}
