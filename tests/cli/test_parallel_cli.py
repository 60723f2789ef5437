"""``render --jobs N`` prints what one process prints: the same manifests, warnings and errors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINIMAL_APP, CliResult

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")

RELEASES = [f"r{number:02d}" for number in range(24)]  # three slices of eight in one environment


def project(make_tree: Callable[..., Path], broken: tuple[str, ...] = ()) -> Path:
    """Twenty-four releases in two environments; some values files hold keys no template reads."""
    files = {
        "project/pytemplar.yaml": "environments:\n  dev: {}\n  prod: {}\nreleases:\n"
        + "".join(f"  {name}:\n    app: ../app\n" for name in RELEASES),
        "project/envs/prod.yaml": "replicas: 2\nreplicaz: 3\n",
    }
    for number, name in enumerate(RELEASES):
        lines = [f"replicas: {number % 3 + 1}", f'image:\n  tag: "1.{number}"']
        if number % 4 == 1:
            lines.append(f"unread{number}: true")  # a typo in this release's file only
        if name in broken:
            lines = ["replicas: many"]
        files[f"project/releases/{name}.yaml"] = "\n".join(lines) + "\n"
        if number % 5 == 2:
            files[f"project/envs/prod/{name}.yaml"] = "image:\n  tagg: wrong\n"
    return make_tree(files, base=MINIMAL_APP) / "project"


def both(cli: Callable[..., CliResult], *args: str | Path) -> tuple[CliResult, CliResult]:
    return cli("render", *args, "-j", "1"), cli("render", *args, "-j", "3")


def test_several_processes_print_the_same_manifests_and_warnings(
    cli: Callable[..., CliResult], make_tree: Callable[..., Path]
) -> None:
    one, three = both(cli, project(make_tree), "--all-envs")
    assert one.code == 0, one.stderr
    assert (three.code, three.stdout, three.stderr) == (one.code, one.stdout, one.stderr)
    assert one.stdout.count("kind: Deployment") == 48
    assert "'unread1' is not used by any template" in one.stderr
    assert "'image.tagg' is not used by any template" in one.stderr


def test_the_first_failing_release_is_reported_whatever_the_processes(
    cli: Callable[..., CliResult], make_tree: Callable[..., Path]
) -> None:
    one, three = both(cli, project(make_tree, broken=("r10", "r18")), "-e", "prod")
    assert one.code == 1
    assert (three.code, three.stdout, three.stderr) == (one.code, one.stdout, one.stderr)
    assert "[prod/r10]" in one.stderr and "r18" not in one.stderr


def test_validate_reports_the_same_problems_on_several_processes(
    cli: Callable[..., CliResult], make_tree: Callable[..., Path]
) -> None:
    folder = project(make_tree, broken=("r10",))
    template = folder.parent / "app/templates/deployment.yaml.j2"
    # r17's Deployment gets a field Kubernetes does not know: a [kube-schema] problem of a worker's slice.
    template.write_text(
        template.read_text().replace("spec:\n", "spec:\n{% if release.name == 'r17' %}  replicaz: 2\n{% endif %}", 1)
    )
    one = cli("validate", folder, "-j", "1")
    three = cli("validate", folder, "-j", "3")
    assert one.code == 1
    assert (three.code, three.stdout, three.stderr) == (one.code, one.stdout, one.stderr)
    assert "[dev/r10]" in one.stderr, one.stderr
    assert "spec.replicaz" in one.stderr and "[kube-schema]" in one.stderr
    assert "'unread1' is not used by any template" in one.stderr


def test_the_shop_renders_the_same_on_several_processes(cli: Callable[..., CliResult]) -> None:
    one, four = both(cli, EXAMPLES / "shop", "--all-envs")
    assert one.code == 0, one.stderr
    assert (four.code, four.stdout, four.stderr) == (one.code, one.stdout, one.stderr)


def test_problems_of_single_objects_found_in_workers_are_those_of_one_process(
    cli: Callable[..., CliResult], make_tree: Callable[..., Path]
) -> None:
    """Label, name and selector checks look at each release's objects where it is rendered (in
    the workers): errors and warnings, their order and the exit code are those of one process."""
    folder = project(make_tree)
    template = folder.parent / "app/templates/deployment.yaml.j2"
    broken = (
        "{% if release.name in ['r03', 'r12', 'r20'] %}\n"
        "          tier: {{ release.name }}_\n"
        "          Bad Key: x\n"
        "{% endif %}"
    )
    text = template.read_text().replace("labels: {app: demo}", "labels:\n          app: demo\n" + broken, 1)
    text = text.replace(
        "matchLabels: {app: demo}", 'matchLabels: {app: \'{{ "other" if release.name == "r21" else "demo" }}\'}'
    )
    template.write_text(text)
    one, three = both(cli, folder, "-e", "prod")
    assert one.code == 1, one.stderr
    assert (three.code, three.stdout, three.stderr) == (one.code, one.stdout, one.stderr)
    for release in ("r03", "r12", "r20", "r21"):
        assert f"[prod/{release}]" in one.stderr
    assert "[label-syntax]" in one.stderr and "[selector-matches-template]" in one.stderr


def test_a_runaway_release_stops_every_worker(cli: Callable[..., CliResult], make_tree: Callable[..., Path]) -> None:
    """One release's template runs away (a megabyte replaced per loop step); the render budget
    stops it in its worker, the run names that template and line, and no worker outlives it."""
    looping = "{% for i in range(100000) %}{{ ('x' * 999999) | replace('x', 'yy') | length }}{% endfor %}"
    folder = project(make_tree)
    template = folder.parent / "app/templates/deployment.yaml.j2"
    text = template.read_text()
    template.write_text(text + f"# {{% if release.name == 'r23' %}}{looping}{{% endif %}}\n")
    line = text.count("\n") + 1
    result = cli("render", folder, "-e", "prod", "-j", "3")
    assert result.code == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{template}:{line}: error: [prod/r23] not allowed in a template: more than 10,000,000 ")
    assert _processes_naming(folder) == [], "no worker outlives the run"


def test_a_time_limit_stops_the_workers(cli: Callable[..., CliResult], make_tree: Callable[..., Path]) -> None:
    """No render finishes within a millisecond: the limit stops the run, exit 124, nothing written."""
    folder = project(make_tree)
    result = cli("render", folder, "--all-envs", "-j", "3", "--timeout", "0.001")
    assert result.code == 124, result.stderr
    assert result.stdout == ""
    assert "error: the command took longer than 0.001 s and was stopped" in result.stderr.splitlines()[0]
    assert _processes_naming(folder) == [], "no worker outlives the run"


def test_a_time_limit_reached_while_workers_render_stops_them_all(
    cli: Callable[..., CliResult], make_tree: Callable[..., Path]
) -> None:
    """Every release takes a while (3,000,000 loop steps, within the render budget: ~0.3 s each,
    ~13 s for the run): the limit is reached while this process and the workers render; the
    command names the template being rendered, exits 124, prints no manifest, and no worker
    outlives it."""
    slow = "{% for i in range(3000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
    folder = project(make_tree)
    template = folder.parent / "app/templates/deployment.yaml.j2"
    template.write_text(template.read_text() + f"# {slow}\n")
    result = cli("render", folder, "--all-envs", "-j", "3", "--timeout", "2")
    assert result.code == 124, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"{template}: error: the command took longer than 2 s and was stopped while rendering this template"
    )
    assert _processes_naming(folder) == [], "no worker outlives the run"


def _processes_naming(folder: Path) -> list[str]:
    import time

    time.sleep(0.5)  # the kernel delivers the parent-death signal asynchronously
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(folder) in command:
                found.append(command)
    return found


def test_inputs_found_valid_in_workers_are_remembered_as_in_one_process(
    make_tree: Callable[..., Path], tmp_path: Path
) -> None:
    """What a worker finds valid is remembered too (saved by the command's process once the
    command succeeded), so the next run checks none of it again, whichever process renders it."""
    folder = project(make_tree)
    remembered = {}
    for jobs in ("1", "3"):
        cache = tmp_path / f"cache-{jobs}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
        env["PYTEMPLAR_CACHE_DIR"] = str(cache)
        done = subprocess.run(
            [sys.executable, "-m", "pytemplar", "render", str(folder), "--all-envs", "-j", jobs],
            capture_output=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        remembered[jobs] = sorted(path.name for path in (cache / "valid").rglob("*") if path.is_file())
    assert len(remembered["1"]) > len(RELEASES), "each release's values, and more"
    assert remembered["3"] == remembered["1"]
