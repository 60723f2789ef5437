"""Helm's and Kustomize's habits on pytemplar's command line: their commands and flags, each
answered with pytemplar's way. Asked on every start, before the command line is read, so this
module holds nothing else (the hints for problems found later are in :mod:`pytemplar.hints`).
"""

from __future__ import annotations

from collections.abc import Sequence

# Flags a Helm user types out of habit, for the commands that have no such flag.
_NAMESPACE_HINT = (
    "a namespace is set per environment in pytemplar.yaml (environments.<env>.namespace) or per "
    "release (releases.<release>.namespace): choose the environment with -e"
)
HELM_HABITS = {
    "-n": _NAMESPACE_HINT,
    "--namespace": _NAMESPACE_HINT,
    "--create-namespace": "set createNamespace: true on the environment in pytemplar.yaml",
}
_COMMANDS_WITHOUT_THEM = frozenset({"render", "validate", "values", "diff", "set", "rollout"})


def _renders_an_app(arguments: Sequence[str]) -> bool:
    from pathlib import Path

    from pytemplar.project import is_app

    first = next((a for a in arguments if not a.startswith("-")), None)
    return first is not None and is_app(Path(first))


def helm_habit(arguments: Sequence[str]) -> tuple[str, str] | None:
    """``(flag, hint)`` when a command is given a Helm flag pytemplar does not have there."""
    if not arguments or arguments[0] not in _COMMANDS_WITHOUT_THEM:
        return None
    if "--help" in arguments or "-h" in arguments:
        return None  # asked for the command's options: its help lists them
    for argument in arguments[1:]:
        if argument == "--":
            break
        flag = argument.split("=", 1)[0] if argument.startswith("--") else argument
        if flag in HELM_HABITS:
            # `render APP` takes --namespace, as `helm template` does. Looked at only now: telling
            # an app from a project loads the project reader, which a plain render loads later
            # anyway: asked only when such a flag is given, it costs a plain render nothing.
            if arguments[0] == "render" and _renders_an_app(arguments[1:]):
                return None
            return flag, HELM_HABITS[flag]
    return None


# Commands a Helm or Kustomize user types first, for which pytemplar has another name or way.
_DEPLOY_HINT = (
    "pytemplar does not talk to a cluster: pipe `pytemplar render PROJECT -e ENV` into `kubectl apply -f -`, "
    "or commit the project and let Argo CD sync it (examples/argocd)"
)
COMMAND_HABITS = {
    "template": "`helm template` is `pytemplar render PROJECT -e ENV`, or `pytemplar render APP` for an app alone",
    "build": "`kustomize build` is `pytemplar render PROJECT -e ENV`",
    "lint": "`helm lint` is `pytemplar validate PROJECT` (every environment and release at once)",
    "install": _DEPLOY_HINT,
    "upgrade": _DEPLOY_HINT,
    "apply": _DEPLOY_HINT,
    "create": "`helm create` is `pytemplar new app NAME`; `pytemplar init` creates a project",
    "get": "`helm get values` is `pytemplar values PROJECT -e ENV -r RELEASE --origin`",
    "show": "`helm show values` is the app's values.yaml; `pytemplar docs APP` describes every value",
    "edit": "`kustomize edit set image` is `pytemplar set PROJECT -e ENV -r RELEASE image.tag=TAG`",
    "dependency": "dependencies are listed in the app's app.yaml (`dependencies:`) and read on every render; "
    "`pytemplar package APP` copies them into the archive",
    "version": "`pytemplar --version`",
}
_COMPLETION_HINT = (
    "print the script with `pytemplar completion bash|zsh|fish`; for bash: source <(pytemplar completion bash)"
)
ROOT_OPTION_HABITS = {"--install-completion": _COMPLETION_HINT, "--show-completion": _COMPLETION_HINT}


def command_habit(arguments: Sequence[str], commands: Sequence[str]) -> tuple[str, str] | None:
    """``(message, hint)`` when ``pytemplar`` is given a Helm or Kustomize command (or a completion
    flag of other tools) that it does not have; None for its own commands and anything else."""
    if not arguments:
        return None
    first = arguments[0]
    if first in ROOT_OPTION_HABITS:
        return f"pytemplar has no option {first}", ROOT_OPTION_HABITS[first]
    if first in commands or first not in COMMAND_HABITS:
        return None
    return f"pytemplar has no command '{first}'", COMMAND_HABITS[first]
