"""Shell completion: `pytemplar completion bash|zsh|fish` prints the script to source.

The script calls pytemplar back with ``_PYTEMPLAR_COMPLETE=<shell>`` in the environment and the
words of the command line as arguments (the last one is the word being completed), much as
Helm's and kubectl's ``__complete`` do. :func:`respond` answers with one candidate per line,
before any command runs, from the parser's own completion (commands, options, choices) and the
project's names (:mod:`pytemplar.cli._complete`); folders and files are listed for path
arguments.
"""

from __future__ import annotations

import os
import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from pytemplar.cli._common import DebugOpt, MemoryOpt, TimeoutOpt, _run
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

COMPLETE_VARIABLE = "_PYTEMPLAR_COMPLETE"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


# bash splits words at COMP_WORDBREAKS (= and : among them); the whole line is read instead.
BASH_SCRIPT = r"""# pytemplar completion for bash: source <(pytemplar completion bash)
_pytemplar_complete() {
    local IFS=$'\n'
    COMPREPLY=( $(COMP_LINE="$COMP_LINE" COMP_POINT="$COMP_POINT" \
        _PYTEMPLAR_COMPLETE=bash "${COMP_WORDS[0]}" 2>/dev/null) )
}
complete -o default -o nospace -F _pytemplar_complete pytemplar
"""

ZSH_SCRIPT = r"""#compdef pytemplar
# pytemplar completion for zsh: pytemplar completion zsh > "${fpath[1]}/_pytemplar"
_pytemplar() {
    local -a candidates whole partial
    local candidate
    candidates=("${(@f)$(_PYTEMPLAR_COMPLETE=zsh "${words[1]}" "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    candidates=(${candidates:#})
    # A candidate that ends with a space is a whole word: zsh adds the space itself (compadd would
    # quote one of ours into the word). `image.tag=` and folders go on without one.
    for candidate in "${candidates[@]}"; do
        if [[ "$candidate" == *" " ]]; then whole+=("${candidate% }"); else partial+=("$candidate"); fi
    done
    (( ${#whole} )) && compadd -- "${whole[@]}"
    (( ${#partial} )) && compadd -S '' -- "${partial[@]}"
    (( ${#candidates} )) || _files
}
if [[ "${funcstack[1]}" == "_pytemplar" ]]; then
    _pytemplar "$@"
else
    compdef _pytemplar pytemplar
fi
"""

FISH_SCRIPT = r"""# pytemplar completion for fish: pytemplar completion fish > ~/.config/fish/completions/pytemplar.fish
function __pytemplar_complete
    set -l words (commandline -opc)
    env _PYTEMPLAR_COMPLETE=fish $words[1] $words[2..-1] (commandline -ct) 2>/dev/null
end
complete -c pytemplar -f -a '(__pytemplar_complete)'
"""

SCRIPTS = {Shell.bash: BASH_SCRIPT, Shell.zsh: ZSH_SCRIPT, Shell.fish: FISH_SCRIPT}


def completion_command(
    shell: Annotated[Shell, typer.Argument(metavar="bash|zsh|fish", help="The shell to print the script for.")],
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Print the shell completion script: environments, releases, value paths and check ids complete too.

    bash: source <(pytemplar completion bash)  (or save it as ~/.local/share/bash-completion/completions/pytemplar)

    zsh: pytemplar completion zsh > "${fpath[1]}/_pytemplar"

    fish: pytemplar completion fish > ~/.config/fish/completions/pytemplar.fish
    """

    def action() -> None:
        sys.stdout.write(SCRIPTS[shell])

    _run(action, debug, timeout, max_memory)


def respond(shell: str, argv: list[str]) -> int:
    """Print the candidates for a completion request of the script; never fails loudly."""
    try:
        if shell == "bash":
            words, incomplete = _bash_words()
        else:
            words, incomplete = argv[:-1], (argv[-1] if argv else "")
        candidates = _candidates(words, incomplete)
        if shell == "bash":  # bash replaces only the text after its last word break
            cut = max(incomplete.rfind(c) for c in "=:") + 1
            candidates = [c[cut:] if c.startswith(incomplete[:cut]) else c for c in candidates]
            # ...and inserts it as typed: a backslash of --set syntax (kubernetes\.io) is typed twice.
            candidates = [c.replace("\\", "\\\\") for c in candidates]
        elif shell == "fish":  # fish escapes a candidate's own space into the word, then adds its own
            candidates = [c.removesuffix(" ") for c in candidates]
        sys.stdout.write("".join(c + "\n" for c in candidates))
        return 0
    except Exception:  # completion must never print a traceback into the user's prompt
        return 1


def _bash_words() -> tuple[list[str], str]:
    line = os.environ.get("COMP_LINE", "")
    point = int(os.environ.get("COMP_POINT", len(line)))
    line = line[:point]
    try:
        words = shlex.split(line)
    except ValueError:  # an unclosed quote: complete the word after it
        words = shlex.split(line + '"')
    if not line or line[-1].isspace():
        words.append("")
    return words[1:-1], words[-1]


def _candidates(words: list[str], incomplete: str) -> list[str]:
    from typer._click.shell_completion import _resolve_context, _resolve_incomplete

    from pytemplar.cli import _complete

    _complete.words = list(words)
    from pytemplar.cli import build_app

    command = typer.main.get_command(build_app())
    context = _resolve_context(command, {}, "pytemplar", list(words))
    target, incomplete = _resolve_incomplete(context, list(words), incomplete)
    items = target.shell_complete(context, incomplete)
    found = [str(item.value) + ("" if str(item.value).endswith(("=", ",")) else " ") for item in items]
    kind: Any = getattr(target, "type", None)
    if not found and hasattr(kind, "dir_okay") and hasattr(kind, "file_okay"):  # a path argument or option
        found = _paths(incomplete, folders_only=not kind.file_okay)
    return found


def _paths(incomplete: str, folders_only: bool) -> list[str]:
    folder, _, start = incomplete.rpartition("/")
    base = Path(folder or ".") if folder or not incomplete.startswith("/") else Path("/")
    if incomplete.startswith("/") and not folder:
        base = Path("/")
    prefix = f"{folder}/" if folder or incomplete.startswith("/") else ""
    try:
        entries = sorted(base.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(start) or (entry.name.startswith(".") and not start.startswith(".")):
            continue
        if entry.is_dir():
            found.append(f"{prefix}{entry.name}/")
        elif not folders_only:
            found.append(f"{prefix}{entry.name} ")
    return found
