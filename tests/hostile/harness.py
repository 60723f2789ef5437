"""Harness of the hostile-input suite: the catalogue of hostile inputs (H14-H60) of the security
research notes, each a tested refusal or, where the input is legitimate, a tested acceptance.

Every case runs ``python -m pytemplar`` as a subprocess, the way a CI runner would, inside a
:class:`Sandbox`:

* a temp tree ``<tmp>/home`` (HOME, with a fake kubeconfig holding a canary), ``<tmp>/outside``
  (files an app must never reach, each holding a canary) and ``<tmp>/d1/d2/work`` (the working
  directory, holding ``app/`` and ``project/``), so that ``../`` escapes of up to three levels still
  land inside the tree that is hashed before and after the run;
* ``PYTEMPLAR_CANARY_SECRET=canary-123`` in an otherwise minimal environment;
* ``RLIMIT_AS`` of 1 GiB and a wall-clock timeout, so a hang or a memory bomb is a failed test
  rather than a stuck CI job;
* a loopback HTTP listener on an ephemeral port that counts every connection.

``Sandbox.refused(...)`` checks the whole contract of a refusal: exit code, first stderr line
naming the file (and line) and what is wrong, no traceback, empty stdout, nothing written or
changed, no listener hit, no canary anywhere in the output.

Cases that are refused while one release is loaded or rendered are run as a :class:`Batch`: one
app and release per case and a single ``pytemplar validate`` run, which reports every release's
problem; each case is still its own test, checking its own release's first problem. That keeps
the suite within about two minutes (each interpreter start costs ~0.4 s). Cases that stop the
whole process (usage errors, memory and time limits, crashes) run alone.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import http.server
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MEMORY_LIMIT = 1024 * 1024 * 1024  # RLIMIT_AS of every pytemplar run
# seconds of wall-clock time after which a run counts as hung. Not a speed check (the limits are
# counted in units of work, the same on every machine): generous, so a loaded machine never trips it.
TIMEOUT = 120.0

ENV_CANARY = "canary-123"
KUBE_CANARY = "PYTEMPLAR-CANARY-KUBECONFIG-7f3a"
OUTSIDE_CANARY = "PYTEMPLAR-CANARY-OUTSIDE-91c2"
TEMPLATE_CACHE = "home/.cache"  # $HOME/.cache/pytemplar and the folders above it, made on success
NET_CANARY = "PYTEMPLAR-CANARY-NETWORK-55d0"
CANARIES = (ENV_CANARY, KUBE_CANARY, OUTSIDE_CANARY, NET_CANARY, "PYTEMPLAR-H23b-EXECUTED", "PYTEMPLAR-H33-EXECUTED")

# The smallest app and project that render: one Deployment, one release "one", envs dev and prod.
APP_YAML = """
    name: demo
    version: 0.1.0
"""
VALUES_YAML = """
    replicas: 1
    image:
      tag: "1.0"
"""
SCHEMA_JSON = """
    {
      "type": "object",
      "properties": {
        "replicas": {"type": "integer"},
        "image": {"type": "object", "properties": {"tag": {"type": "string"}}}
      }
    }
"""
DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ release.name }}
      namespace: {{ release.namespace }}
    spec:
      replicas: {{ values.replicas }}
      selector: {matchLabels: {app: demo}}
      template:
        metadata: {labels: {app: demo}}
        spec:
          containers:
            - name: main
              image: "example/demo:{{ values.image.tag }}"
"""
PROJECT_YAML = """
    environments:
      dev: {}
      prod:
        namespace: production
    releases:
      one:
        app: ../app
"""
BASE_TREE: dict[str, str] = {
    "app/app.yaml": APP_YAML,
    "app/values.yaml": VALUES_YAML,
    "app/values.schema.json": SCHEMA_JSON,
    "app/templates/deployment.yaml.j2": DEPLOYMENT,
    "project/pytemplar.yaml": PROJECT_YAML,
}

RENDER = ("render", "project", "-e", "dev")


def configmap(*data_lines: str, name: str = "{{ release.name }}-config") -> str:
    """A ConfigMap template whose ``data:`` block holds ``data_lines`` (already indented by 2)."""
    body = "\n".join(data_lines)
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{body}\n"


# -- the loopback listener ------------------------------------------------------------------------


class _CountingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.paths: list[str] = []

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _CountingServer

    def _answer(self) -> None:
        self.server.paths.append(self.path)
        body = ('{"type": "string", "enum": ["' + NET_CANARY + '"], "secret": "' + NET_CANARY + '"}').encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Listener:
    server: _CountingServer

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> int:
        return self.server.connections


@contextlib.contextmanager
def running_listener() -> Iterator[Listener]:
    server = _CountingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Listener(server)
    finally:
        server.shutdown()
        server.server_close()


# -- running pytemplar ------------------------------------------------------------------------------


def _limit_memory() -> None:  # runs in the child between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _kill_session(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """SIGKILL the process group of ``proc`` (a session this harness started) and collect output."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate()
    return out or b"", err or b""


@dataclass
class Result:
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    changed: list[str] = field(default_factory=list)  # paths created, removed or modified
    # ... of them, those in the compiled-template cache, which only a command that succeeded may fill
    cached: list[str] = field(default_factory=list)
    hits: int = 0  # connections to the listener during the run
    timeout: float = TIMEOUT

    @property
    def timed_out(self) -> bool:
        return self.code is None

    @property
    def first_line(self) -> str:
        lines = self.stderr.splitlines()
        return lines[0] if lines else ""

    def documents(self) -> list[Any]:
        """stdout read back by a YAML 1.1 reader (PyYAML, like kubectl), refusing duplicate keys."""
        return [doc for doc in yaml.load_all(self.stdout, Loader=StrictLoader) if doc is not None]

    def describe(self) -> str:
        return (
            f"exit={self.code} after {self.seconds:.1f}s, changed={self.changed[:10]}, hits={self.hits}\n"
            f"--- stderr ---\n{self.stderr[:3000]}\n--- stdout ---\n{self.stdout[:1500]}"
        )


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys (which it would otherwise let the last win)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        seen: list[Any] = []  # keys may be unhashable (a list as a key); sorted by hash where they are not
        hashable = [key for key in keys if getattr(key, "__hash__", None) is not None]
        counts = collections.Counter(hashable)
        duplicates = {key for key, count in counts.items() if count > 1}
        for key in keys:
            if getattr(key, "__hash__", None) is None:
                if key in seen:
                    duplicates.add(str(key))
                seen.append(key)
        if duplicates:
            raise AssertionError(f"duplicate keys in the output: {sorted(map(str, duplicates))}")
        return super().construct_mapping(node, deep=deep)


def _fingerprint(root: Path, skip: tuple[str, ...]) -> dict[str, str]:
    """Every entry below ``root``: type, mode, and content hash or link target. Never opens
    anything but regular files, so FIFOs and devices planted by a test are safe to list."""
    found: dict[str, str] = {}
    for current, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(current) / name
            relative = path.relative_to(root).as_posix()
            if any(relative == s or relative.startswith(s + "/") for s in skip):
                continue
            info = path.lstat()
            kind = stat.S_IFMT(info.st_mode)
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            else:
                digest = ""
            links = "" if stat.S_ISDIR(info.st_mode) else info.st_nlink  # a folder's count follows its subfolders
            found[relative] = f"{kind:o}:{stat.S_IMODE(info.st_mode):o}:{links}:{digest}"
    return found


class Sandbox:
    """A temp tree to build apps in and run pytemplar against; see the module docstring."""

    def __init__(self, base: Path, listener: Listener) -> None:
        self.base = base
        self.listener = listener
        self.home = base / "home"
        self.outside = base / "outside"
        self.work = base / "d1" / "d2" / "work"
        for folder in (self.home / ".kube", self.outside, self.work):
            folder.mkdir(parents=True, exist_ok=True)
        (self.home / ".kube" / "config").write_text(f"token: {KUBE_CANARY}\n")
        (self.outside / "canary-secret.txt").write_text(f"{OUTSIDE_CANARY}\n")
        (self.outside / "secret-values.yaml").write_text(f"stolen: {OUTSIDE_CANARY}\nreplicas: 7\n")
        (self.outside / "secret.json").write_text(f'{{"type": "string", "enum": ["{OUTSIDE_CANARY}"]}}\n')
        (self.outside / "evil.yaml.j2").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: evil\ndata:\n  secret: {OUTSIDE_CANARY}\n"
        )

    # -- building ---------------------------------------------------------------------------------

    def write(self, files: Mapping[str, str | bytes], *, base: Mapping[str, str] | None = BASE_TREE) -> Path:
        """Write ``base`` plus ``files`` (paths relative to the working directory; text is dedented)."""
        merged: dict[str, str | bytes] = dict(base or {})
        merged.update(files)
        for relative, content in merged.items():
            path = self.work / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(self.fill(textwrap.dedent(content).lstrip("\n")), encoding="utf-8")
        return self.work

    def fill(self, text: str) -> str:
        """``{LISTENER}`` becomes the listener's URL, ``{OUTSIDE}`` the absolute outside folder."""
        return text.replace("{LISTENER}", self.listener.url).replace("{OUTSIDE}", str(self.outside))

    def symlink(self, link: str, target: str | Path) -> Path:
        path = self.work / link
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(target)
        return path

    def remove(self, relative: str) -> None:
        (self.work / relative).unlink()

    # -- running ----------------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "COLUMNS": "200",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "TMPDIR": str(self.base / "d1"),
            "PYTEMPLAR_CANARY_SECRET": ENV_CANARY,
        }

    def run(
        self, *args: str | os.PathLike[str], expect_changes: tuple[str, ...] = (), timeout: float = TIMEOUT
    ) -> Result:
        """Run ``python -m pytemplar ARGS`` in the working directory.

        ``expect_changes`` are paths (relative to the working directory, e.g. ``out``) the run may
        write; any other created, removed or modified entry is listed in ``changed``.
        """
        skip = tuple(self.rel(path) for path in expect_changes)
        before = _fingerprint(self.base, skip)
        hits_before = self.listener.hits
        start = time.monotonic()
        # A session of its own, so that a timeout kills pytemplar and the child it forks to run the
        # command under its limits (killing only the parent would leave that child running).
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytemplar", *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.work,
            env=self.environment(),
            preexec_fn=_limit_memory,
            start_new_session=True,
        )
        code: int | None
        try:
            out, err = proc.communicate(timeout=timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:  # the session leader is still alive: its group id is ours to kill
            code = None
            out, err = _kill_session(proc)
        seconds = time.monotonic() - start
        time.sleep(0.01)  # let the listener thread count a connection made at the very end
        after = _fingerprint(self.base, skip)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        cached = [path for path in changed if path.startswith(TEMPLATE_CACHE)]
        return Result(
            code,
            out.decode("utf-8", errors="backslashreplace"),
            err.decode("utf-8", errors="backslashreplace"),
            seconds,
            [path for path in changed if not path.startswith(TEMPLATE_CACHE)],
            cached,
            self.listener.hits - hits_before,
            timeout,
        )

    def rel(self, relative: str) -> str:
        """A path below the working directory as the sandbox base sees it (for ``expect_changes``)."""
        return (self.work.relative_to(self.base) / relative).as_posix()

    # -- the contract -----------------------------------------------------------------------------

    def clean(self, result: Result) -> None:
        """What every run must satisfy: finished in time, no traceback, no canary, no network."""
        assert not result.timed_out, f"no answer within {result.timeout:g} s (a hang)\n{result.describe()}"
        assert result.code is not None and result.code >= 0, f"killed by a signal\n{result.describe()}"
        assert "Traceback" not in result.stderr, result.describe()
        assert "internal error" not in result.stderr, result.describe()
        for canary in CANARIES:
            assert canary not in result.stdout, f"canary {canary} on stdout\n{result.describe()}"
            assert canary not in result.stderr, f"canary {canary} on stderr\n{result.describe()}"
        assert result.hits == 0, f"{result.hits} connection(s) to the listener {self.listener.server.paths}"

    def refused(
        self,
        result: Result,
        *,
        file: str | tuple[str, ...] | None,
        message: str,
        line: int | None = None,
        code: int = 1,
    ) -> None:
        """The refusal contract. ``file`` (relative to the working directory) must start the first
        stderr line (or one of them, for a tuple), followed by ``:line`` when given; ``message`` is a
        regex searched in that line.
        ``file=None`` is for usage errors that are about an argument, not a file."""
        self.clean(result)
        assert result.code == code, f"expected exit {code}\n{result.describe()}"
        assert result.stdout == "", result.describe()
        assert result.changed == [], f"files changed: {result.changed}\n{result.describe()}"
        assert result.cached == [], f"a failing command filled the template cache: {result.cached}"
        first = result.first_line
        if file is not None:
            files = (file,) if isinstance(file, str) else file
            prefixes = tuple(f"{name}:{line}:" if line is not None else f"{name}:" for name in files)
            assert first.startswith(prefixes), f"first stderr line should start with {prefixes}\n{result.describe()}"
        assert re.search(message, first), f"first stderr line should match {message!r}\n{result.describe()}"
        assert "\x1b" not in result.stderr and "\r" not in result.stderr, result.describe()

    def accepted(self, result: Result) -> None:
        """Exit 0, clean, and nothing written but the paths the run was told to expect."""
        self.clean(result)
        assert result.code == 0, result.describe()
        assert result.changed == [], f"files changed: {result.changed}\n{result.describe()}"


# -- batches: many independent cases in one ``pytemplar validate`` run ----------------------------------------

Setup = Callable[[Sandbox, Callable[[str], str]], None]


@dataclass(frozen=True)
class Case:
    """One hostile case of a batch. Each case gets its own release ``cNN`` and app ``apps/cNN``.

    Paths are written as for a single case: ``app/...`` is the case's app folder and ``values``
    its release overlay (``project/releases/cNN.yaml``). ``file`` names the culprit the same way.
    ``setup(sandbox, where)`` may plant links or FIFOs; ``where(path)`` maps a case path to a real one.
    """

    id: str
    files: Mapping[str, str | bytes]
    file: str | tuple[str, ...]
    message: str
    line: int | str | None = None  # a line, or 'line:column'
    setup: Setup | None = None
    marks: tuple[Any, ...] = ()

    def param(self) -> Any:
        import pytest

        return pytest.param(self, id=self.id, marks=self.marks)


_PROBLEM = re.compile(r"^(?P<where>\S.*?): error: \[dev/(?P<release>c\d+)\] ")


@dataclass
class Batch:
    """The result of one ``validate`` run over a batch, and the problem lines of each case."""

    sandbox: Sandbox
    result: Result
    releases: dict[str, str]  # case id -> release
    problems: dict[str, list[str]]  # release -> its error lines, in the order printed

    def where(self, case: Case, path: str) -> str:
        return _case_path(path, self.releases[case.id])

    def check(self, case: Case) -> None:
        """The refusal contract for one case of the batch: the run as a whole must be clean (exit 1,
        no traceback, no canary, no network, nothing written, empty stdout), and the first problem of
        the case's release must name the culprit file (and line) and say what is wrong."""
        result = self.result
        self.sandbox.clean(result)
        assert result.code == 1, f"expected exit 1\n{result.describe()}"
        assert result.stdout == "", result.describe()
        assert result.changed == [], f"files changed: {result.changed}\n{result.describe()}"
        assert result.cached == [], f"a failing command filled the template cache: {result.cached}"
        assert "\x1b" not in result.stderr and "\r" not in result.stderr, result.describe()
        release = self.releases[case.id]
        lines = self.problems.get(release, [])
        assert lines, f"{case.id}: accepted without any error (release {release})\n{result.describe()}"
        files = (case.file,) if isinstance(case.file, str) else case.file
        prefixes = tuple(
            f"{self.where(case, name)}:{case.line}:" if case.line is not None else f"{self.where(case, name)}:"
            for name in files
        )
        first = lines[0]
        shown = "\n".join(lines)
        assert first.startswith(prefixes), f"{case.id}: the first problem should start with {prefixes}:\n{shown}"
        assert re.search(case.message, first), f"{case.id}: the first problem should match {case.message!r}:\n{shown}"


def _case_path(path: str, release: str) -> str:
    if path == "values":
        return f"project/releases/{release}.yaml"
    if path == "app" or path.startswith("app/"):
        return f"apps/{release}" + path[3:]
    return path


def run_batch(sandbox: Sandbox, cases: list[Case], *, base: Mapping[str, str] = BASE_TREE) -> Batch:
    """Write one app and release per case and run ``pytemplar validate project`` once."""
    releases = {case.id: f"c{index:02d}" for index, case in enumerate(cases)}
    assert len(releases) == len(cases), "case ids must be unique"
    files: dict[str, str | bytes] = {}
    for case in cases:
        release = releases[case.id]
        for path, content in base.items():
            if path.startswith("app/"):
                files[_case_path(path, release)] = content
        for path, content in case.files.items():
            files[_case_path(path, release)] = content
    listing = "".join(f"  {release}:\n    app: ../apps/{release}\n" for release in releases.values())
    files["project/pytemplar.yaml"] = "environments:\n  dev: {}\nreleases:\n" + listing
    sandbox.write(files, base=None)
    for case in cases:
        if case.setup is not None:
            release = releases[case.id]
            case.setup(sandbox, lambda path, release=release: _case_path(path, release))
    result = sandbox.run("validate", "project")
    problems: dict[str, list[str]] = {}
    for line in result.stderr.splitlines():
        found = _PROBLEM.match(line)
        if found:
            problems.setdefault(found["release"], []).append(line)
    return Batch(sandbox, result, releases, problems)


@contextlib.contextmanager
def batch_sandbox(base: Path) -> Iterator[Sandbox]:
    """A sandbox with its own listener, for a module-scoped batch fixture."""
    with running_listener() as listener:
        yield Sandbox(base, listener)
