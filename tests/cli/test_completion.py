"""Shell completion: the script `pytemplar completion bash` prints, run in a real bash.

Each case sources the script, sets the variables bash sets when Tab is pressed on a command
line, calls the completion function and reads COMPREPLY.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TEMPLATE_CACHE, run_pytemplar

SCRIPTS = str(Path(sys.executable).parent)


def environment() -> dict[str, str]:
    if shutil.which("pytemplar", path=SCRIPTS) is None:
        pytest.fail(f"pytemplar is not installed beside {sys.executable}: pip install -e .")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR") and not k.startswith("_PYTEMPLAR")}
    env["PATH"] = os.pathsep.join([SCRIPTS, "/usr/bin", "/bin"])
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    return env


def bash_complete(line: str, script: Path) -> list[str]:
    """What bash offers for Tab at the end of ``line``."""
    program = f"""
source {script}
COMP_LINE={_quote(line)}
COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
[[ "$COMP_LINE" == *" " ]] && COMP_CWORD=${{#COMP_WORDS[@]}}
_pytemplar_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    done = subprocess.run(
        ["bash", "--norc", "-c", program], capture_output=True, text=True, cwd=REPO, env=environment(), timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [line for line in done.stdout.split("\n") if line]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = run_pytemplar("completion", "bash")
    assert result.code == 0, result.stderr
    path = tmp_path_factory.mktemp("completion") / "pytemplar.bash"
    path.write_text(result.stdout, encoding="utf-8")
    return path


SHOP = "examples/apps/shop"


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("pytemplar ren", ["render "]),
        ("pytemplar add ", ["env ", "release "]),
        (f"pytemplar render {SHOP} -e ", ["dev ", "staging ", "prod "]),
        (f"pytemplar render {SHOP} -e p", ["prod "]),
        (f"pytemplar validate {SHOP} -r service-", ["service-a ", "service-b ", "service-c ", "service-d "]),
        (f"pytemplar values {SHOP} -e prod -r service-c", ["service-c "]),
        (f"pytemplar rollout status {SHOP} -e st", ["staging "]),
        (f"pytemplar render {SHOP} -e prod --set image.t", ["image.tag="]),
        (
            f"pytemplar render {SHOP} -e prod --set-string autoscaling.m",
            ["autoscaling.maxReplicas=", "autoscaling.minReplicas="],
        ),
        (f"pytemplar set {SHOP} -e prod -r service-a replicaC", ["replicaCount="]),
        (f"pytemplar validate {SHOP} --check image-p", ["image-pinned "]),
        (f"pytemplar validate {SHOP} --check image-pinned,res", ["image-pinned,resources-set "]),
        (f"pytemplar validate {SHOP} --skip-check dns", ["dns-name "]),
        ("pytemplar render examples/apps/sh", ["examples/apps/shop/"]),
        ("pytemplar render --output", ["--output ", "--output-dir "]),
        ("pytemplar completion ", ["bash ", "zsh ", "fish "]),
    ],
)
def test_bash_completes(script: Path, line: str, offered: list[str]) -> None:
    assert bash_complete(line, script) == offered


def test_a_project_that_does_not_load_offers_nothing_and_prints_nothing(script: Path, tmp_path: Path) -> None:
    (tmp_path / "pytemplar.yaml").write_text("environments: [\n", encoding="utf-8")
    assert bash_complete(f"pytemplar render {tmp_path} -e ", script) == []


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_get_a_script_and_the_same_candidates(shell: str) -> None:
    result = run_pytemplar("completion", shell)
    assert result.code == 0
    assert "_PYTEMPLAR_COMPLETE=" + shell in result.stdout
    # Both scripts pass the words typed so far as arguments, the word being completed last.
    done = subprocess.run(
        ["pytemplar", "render", SHOP, "-e", ""],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**environment(), "_PYTEMPLAR_COMPLETE": shell},
        timeout=60,
    )
    # zsh's script tells whole words (a trailing space) from partial ones; fish adds its own space.
    expected = "dev \nstaging \nprod \n" if shell == "zsh" else "dev\nstaging\nprod\n"
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")


def test_the_zsh_script_is_valid_zsh() -> None:
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed")
    script = run_pytemplar("completion", "zsh").stdout
    done = subprocess.run([zsh, "-n", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _dotted_project(root: Path) -> Path:
    (root / "app" / "templates").mkdir(parents=True)
    (root / "app" / "app.yaml").write_text("name: app\nversion: 1.0.0\n", encoding="utf-8")
    (root / "app" / "values.yaml").write_text(
        "nodeSelector:\n  kubernetes.io/os: linux\nenv:\n  - name: A\n", encoding="utf-8"
    )
    (root / "pytemplar.yaml").write_text(
        "environments: {prod: {namespace: p}}\nreleases: {web: {app: app}}\n", encoding="utf-8"
    )
    return root


def test_value_paths_are_offered_in_set_syntax_and_reach_pytemplar_as_offered(script: Path, tmp_path: Path) -> None:
    project = _dotted_project(tmp_path)
    line = f"pytemplar render {project} -e prod --set nodeSelector.k"
    offered = bash_complete(line, script)
    # Typed on a bash command line, the backslash of `kubernetes\.io` is doubled...
    assert offered == ["nodeSelector.kubernetes\\\\.io/os="]
    assert bash_complete(f"pytemplar render {project} -e prod --set en", script) == ["env[0].name="]
    # ...so that the word bash passes on is the --set path, which pytemplar reads as one key.
    word = subprocess.run(
        ["bash", "--norc", "-c", f"printf '%s' {offered[0]}linux"], capture_output=True, text=True, check=True
    ).stdout
    assert word == "nodeSelector.kubernetes\\.io/os=linux"
    from pytemplar.setargs import parse_set_argument

    [pair] = parse_set_argument(word, "set", 1)
    assert pair.path == ("nodeSelector", "kubernetes.io/os")  # one key with a dot in it


def _shell_or_skip(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


# compadd, compdef and _files exist only inside zsh's completion system: stand-ins print what
# the script hands them (the suffix flag, then the candidates), so the script itself runs in zsh.
ZSH_STANDINS = r"""
compdef() { : }
_files() { print -r -- "<files>" }
compadd() {
    local suffix="space"
    [[ "$1" == "-S" ]] && suffix="none"
    shift $(( ${@[(i)--]} ))
    local candidate
    for candidate in "$@"; do print -r -- "$suffix:$candidate"; done
}
"""


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (["render", SHOP, "-e", "p"], ["space:prod"]),
        (["render", SHOP, "-e", "prod", "--set", "image.t"], ["none:image.tag="]),
        (["render", "examples/apps/sh"], ["none:examples/apps/shop/"]),
        (["validate", SHOP, "--check", "image-pinned,res"], ["space:image-pinned,resources-set"]),
        (["import", "helm", "no-such-"], ["<files>"]),
    ],
)
def test_the_zsh_script_completes_in_zsh(tmp_path: Path, words: list[str], offered: list[str]) -> None:
    zsh = _shell_or_skip("zsh")
    script = tmp_path / "_pytemplar"
    script.write_text(run_pytemplar("completion", "zsh").stdout, encoding="utf-8")
    quoted = " ".join(_quote(word) for word in ["pytemplar", *words])
    program = f"{ZSH_STANDINS}\nsource {script}\nwords=({quoted})\nCURRENT={len(words) + 1}\n_pytemplar\n"
    done = subprocess.run(
        [zsh, "-f", "-c", program], capture_output=True, text=True, cwd=REPO, env=environment(), timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == offered


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        (f"pytemplar render {SHOP} -e ", ["dev", "prod", "staging"]),
        (f"pytemplar render {SHOP} -e prod --set image.t", ["image.tag="]),
        (f"pytemplar validate {SHOP} --skip-check dns", ["dns-name"]),
        ("pytemplar completion z", ["zsh"]),
    ],
)
def test_the_fish_script_completes_in_fish(tmp_path: Path, line: str, offered: list[str]) -> None:
    fish = _shell_or_skip("fish")
    script = tmp_path / "pytemplar.fish"
    script.write_text(run_pytemplar("completion", "fish").stdout, encoding="utf-8")
    # `complete -C` asks fish's own completion machinery what Tab offers after the line.
    program = f"source {script}; complete -C {_quote(line)}"
    done = subprocess.run(
        [fish, "--no-config", "-c", program], capture_output=True, text=True, cwd=REPO, env=environment(), timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    # Candidates carry no space of their own: fish adds one after a whole word, and would
    # otherwise escape ours into the word ("prod\ ").
    assert done.stdout.splitlines() == offered
