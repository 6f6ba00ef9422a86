"""One sandbox for every run of code paralift did not write: a model's candidate, or the
candidate `paralift verify` is given.

Such code runs with:
- a scrubbed environment: an allow-list (PATH, the locale, Numba's, OpenMP's and the BLAS
  libraries' variables), so API keys and tokens never reach it;
- a fresh temporary working and home directory, removed afterwards;
- rlimits: CPU seconds, address space, file size, number of processes, no core files;
- no network, and its own process-ID namespace: bubblewrap (`bwrap --unshare-net
  --unshare-pid --die-with-parent`) with a read-only view of the system and an empty home,
  where bwrap is installed; else `unshare --net` where the kernel lets us; else only the
  limits above, and the isolation says so;
- its whole process group killed when paralift is done with it or times out
  (`processes.kill_group`), and killed when paralift dies (PR_SET_PDEATHSIG).

`describe()` is the one line `paralift translate` prints about which isolation is in force.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache

from paralift.files import remove_directory, temporary_directory
from paralift.verify.processes import die_with_parent, kill_group

ENV_ALLOWED = {"PATH", "LANG", "LANGUAGE", "TZ", "TERM"}
ENV_PREFIXES = ("LC_", "NUMBA_", "OMP_", "GOMP_", "KMP_", "MKL_", "OPENBLAS_", "TSAN_OPTIONS",
                "PARALIFT_RACE")

GiB = 1 << 30
RLIM_NONE = -1  # a limit left as it is


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 1800          # a backstop: every call also has its own timeout
    address_space: int = 6 * GiB     # Numba's JIT and thread pool need some; 8 GB allocations fail
    file_size: int = 256 << 20
    processes: int = 256             # beyond what the user already runs (threads count too)


@dataclass(frozen=True)
class Sandbox:
    """A directory to run in, and how to start a process inside it."""

    workdir: str
    isolation: str             # bubblewrap | unshare | rlimits
    limits: Limits = Limits()

    @property
    def home(self) -> str:
        return os.path.join(self.workdir, "home")

    @property
    def tmp(self) -> str:
        return os.path.join(self.workdir, "tmp")

    def argv(self, argv: list[str]) -> list[str]:
        """`argv` wrapped so that it starts inside the sandbox."""
        if self.isolation == "bubblewrap":
            return _bwrap(self) + ["--", *argv]
        if self.isolation == "unshare":
            return ["unshare", "--net", "--", *argv]
        return list(argv)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The allow-listed part of our environment, the sandbox's own home and temporary
        directory, and what paralift itself must set (`extra`)."""
        env = {k: v for k, v in os.environ.items() if k in ENV_ALLOWED or k.startswith(ENV_PREFIXES)}
        env.update(HOME=self.home, TMPDIR=self.tmp, PYTHONPATH=_paralift_root(), PYTHONNOUSERSITE="1")
        env.update(extra or {})
        return env

    def preexec(self) -> None:
        """In the child before exec: the limits, and death with the parent."""
        import resource

        die_with_parent()
        limits = self.limits
        for kind, value in ((resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_AS, limits.address_space),
                            (resource.RLIMIT_FSIZE, limits.file_size), (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_NPROC, _running_tasks() + limits.processes)):
            _lower(resource, kind, value)

    def run(self, argv: list[str], timeout: float, env: dict[str, str] | None = None,
            sanitized: bool = False) -> subprocess.CompletedProcess:
        """`subprocess.run` inside the sandbox, its process group killed on timeout. A
        `sanitized` program (ThreadSanitizer's) maps terabytes of shadow memory it never
        touches, so it runs without the address-space limit; the CPU limit still holds."""
        box = replace(self, limits=replace(self.limits, address_space=RLIM_NONE)) if sanitized else self
        proc = subprocess.Popen(self.argv(argv), cwd=self.workdir, env=self.env(env),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True, preexec_fn=box.preexec)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            out, err = proc.communicate()
            return subprocess.CompletedProcess(proc.args, -9, out, (err or "") + f"\ntimed out after {timeout:g} s")
        finally:
            kill_group(proc)  # what it forked and left behind goes too
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _lower(resource, kind: int, value: int) -> None:
    if value == RLIM_NONE:
        return
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass


def _running_tasks() -> int:
    """Tasks (processes and threads) of our user now: RLIMIT_NPROC counts them all."""
    uid, count = os.getuid(), 0
    try:
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if os.stat(f"/proc/{pid}").st_uid == uid:
                        count += len(os.listdir(f"/proc/{pid}/task"))
                except OSError:
                    continue
    except OSError:
        return 4096
    return count


def _paralift_root() -> str:
    import paralift
    return os.path.dirname(os.path.dirname(os.path.abspath(paralift.__file__)))


def _bwrap(box: Sandbox) -> list[str]:
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
            "--new-session"]
    home = os.path.expanduser("~")
    if home not in ("/", "") and os.path.isdir(home):
        args += ["--tmpfs", home]  # keys, tokens and configs stay out of sight
        # ... but the interpreter and the packages it imports may live there
        for path in _needed_paths():
            if path == home or path.startswith(home + os.sep):
                args += ["--ro-bind", path, path]
    args += ["--bind", box.workdir, box.workdir, "--chdir", box.workdir]
    return args


def _needed_paths() -> list[str]:
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)), _paralift_root()}
    paths |= {p for p in sys.path if p and os.path.isdir(p)}
    return sorted(os.path.realpath(p) for p in paths if os.path.exists(p))


@lru_cache(maxsize=1)
def available_isolation() -> str:
    """The strongest isolation this machine allows, found once by trying it."""
    probe = temporary_directory("paralift-probe-")
    try:
        for kind in ("bubblewrap", "unshare"):
            if shutil.which("bwrap" if kind == "bubblewrap" else "unshare") is None:
                continue
            box = Sandbox(probe, kind)
            try:
                done = subprocess.run(box.argv(["true"]), cwd=probe, env=box.env(), capture_output=True,
                                      timeout=20, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if done.returncode == 0:
                return kind
        return "rlimits"
    finally:
        remove_directory(probe)


def create(isolation: str | None = None, limits: Limits = Limits()) -> Sandbox:
    """A new sandbox with its own working directory (remove it with `remove`)."""
    workdir = os.path.realpath(temporary_directory("paralift-sandbox-"))
    for sub in ("home", "tmp"):
        os.makedirs(os.path.join(workdir, sub))
    return Sandbox(workdir, isolation or available_isolation(), limits)


def remove(box: Sandbox) -> None:
    remove_directory(box.workdir)


_TEXT = {
    "bubblewrap": "bubblewrap: no network, own process namespace, read-only system, empty home",
    "unshare": "unshare: no network (bubblewrap not found; install the `bubblewrap` package)",
    "rlimits": "limits only: NO network isolation (install the `bubblewrap` package)",
}


def describe() -> str:
    """Which isolation candidates run under, for the user."""
    limits = Limits()
    return (f"sandbox: {_TEXT[available_isolation()]}; scrubbed environment, temporary home, limits of "
            f"{limits.cpu_seconds} CPU s, {limits.address_space // GiB} GiB address space, "
            f"{limits.file_size >> 20} MiB files")


# The sandbox in force for what runs now. Set only by `confined`, around a whole session of
# untrusted code, so that every process started inside it (workers, ThreadSanitizer builds,
# mpiexec) goes through the one sandbox without each caller having to pass it on.
_ACTIVE: ContextVar[Sandbox | None] = ContextVar("paralift_sandbox", default=None)


@contextmanager
def confined(isolation: str | None = None) -> Iterator[Sandbox]:
    """Run what this block starts in a new sandbox; its directory is removed afterwards."""
    box = create(isolation)
    token = _ACTIVE.set(box)
    try:
        yield box
    finally:
        _ACTIVE.reset(token)
        remove(box)


def current() -> Sandbox | None:
    return _ACTIVE.get()


def run(argv: list[str], timeout: float, env: dict[str, str] | None = None, cwd: str | None = None,
        sanitized: bool = False) -> subprocess.CompletedProcess:
    """Run a program paralift built from code it did not necessarily write: in the sandbox
    when one is in force, else as a plain subprocess; with a timeout either way."""
    box = current()
    if box is not None:
        return box.run(argv, timeout, env=env, sanitized=sanitized)
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                              stdin=subprocess.DEVNULL, env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired as err:
        return subprocess.CompletedProcess(argv, -9, "", f"timed out after {err.timeout:g} s")


def scratch(prefix: str) -> str:
    """A new temporary directory that code in the sandbox in force can write to."""
    box = current()
    return temporary_directory(prefix, box.tmp if box is not None else None)
