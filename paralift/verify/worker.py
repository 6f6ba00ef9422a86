"""A process that runs one candidate kernel under Numba, on request.

Numba fixes its thread pool size when it starts (`NUMBA_NUM_THREADS`), and a compiled
kernel should be compiled once and called many times, so the candidate lives in its own
long-lived process. The protocol is length-prefixed pickles on stdin/stdout:

    ("load", source, path)                -> ("ok",) | ("error", type, message)
    ("call", function, threads, args)     -> ("ok", args_after, result) | ("error", type, message)
    ("launches",)                         -> ("ok", [(kernel, argument types)]), and forgets them
    ("ptx", launches)                     -> ("ok", [errors]) | ("unavailable", why)

Under Numba's CUDA simulator (`NUMBA_ENABLE_CUDASIM=1`) `threads` is the block size.
"""
from __future__ import annotations

import atexit
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
import weakref
from typing import BinaryIO

from paralift.files import remove_directory, temporary_directory
from paralift.verify.ccall import c_function, call_c, gomp
from paralift.verify.processes import die_with_parent, kill_group


def _send(stream: BinaryIO, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _recv(stream: BinaryIO):
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack("<Q", head)
    return pickle.loads(stream.read(size))


def load(source: str, path: str, name: str, directory: str) -> dict:
    """Execute `source` as a module. It is compiled from a copy on disk, because Numba's
    `cache=True` needs a real file; its name says where it came from."""
    stem = os.path.splitext(os.path.basename(path))[0] or "module"
    fd, copy_path = tempfile.mkstemp(prefix=f"{stem}-", suffix=".py", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(source)
    namespace = {"__name__": name, "__file__": copy_path}
    exec(compile(source, copy_path, "exec"), namespace)  # noqa: S102 - the user's own code
    return namespace


def serve() -> None:
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the kernel's own prints must not corrupt the protocol
    namespace: dict = {}
    c_functions: dict = {}
    launches: list = []  # CUDA simulator: (kernel, argument types) of every launch, for the PTX check
    races = os.environ.get("PARALIFT_RACE_CHECK") == "prange"
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        from paralift.verify.races import install_cuda_simulator
        install_cuda_simulator(launches)  # every launch recorded, and run under the race log
    elif races:  # prange loops run as plain Python, every array access logged
        from paralift.verify.races import install_prange, track, untrack
        install_prange()
    while (msg := _recv(requests)) is not None:
        try:
            if msg[0] == "cload":
                _, tag, lib, name, argspec, restype = msg
                c_functions[tag] = (c_function(lib, name, argspec, restype), restype)
                reply = ("ok",)
            elif msg[0] == "ccall":
                _, tag, threads, args = msg
                func, restype = c_functions[tag]
                args, result = call_c(func, args, restype, gomp(), threads)
                reply = ("ok", args, result)
            elif msg[0] == "load":
                _, source, path = msg
                namespace = load(source, path, "paralift_candidate", os.environ["NUMBA_CACHE_DIR"])
                reply = ("ok",)
            elif msg[0] == "compile":  # compile for these arguments' types, without running
                _, name, args = msg
                reply = ("ok", _compile(namespace.get(name), args))
            elif msg[0] == "trips":  # loop trip counts of an instrumented module (coverage.py)
                reply = ("ok", list(namespace.get("__paralift_trips__", ())))
                namespace.get("__paralift_trips__", []).clear()
            elif msg[0] == "launches":
                reply = ("ok", list(launches))
                launches.clear()
            elif msg[0] == "ptx":
                from paralift.verify.ptx import compile_launches, unavailable
                why = unavailable()
                reply = ("unavailable", why) if why else ("ok", compile_launches(namespace, msg[1]))
            else:
                _, name, threads, args = msg
                if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":  # CUDA: `threads` per block
                    namespace["PARALIFT_CUDA_BLOCK"] = threads
                elif races:
                    args = track(args)
                else:
                    import numba
                    numba.set_num_threads(threads)
                result = namespace[name](*args)
                reply = ("ok", untrack(args), untrack(result)) if races else ("ok", args, result)
        except BaseException as err:  # noqa: BLE001 - every failure is a reply, not a crash
            reply = ("error", type(err).__name__, str(err).strip()[:4000])
        _send(replies, reply)


def _compile(function, args) -> bool:
    """Compile a Numba dispatcher for `args` (so that a call's timeout is the run's alone);
    False for anything else, which compiles on its call if at all."""
    compile_ = getattr(function, "compile", None)
    if compile_ is None or not hasattr(function, "py_func"):
        return False
    import numba
    compile_(tuple(numba.typeof(a) for a in args))
    return True


_LIVE: "weakref.WeakSet[Worker]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Workers still running when paralift exits (an interrupt landed before their `with`
    could close them) are killed before their directories are removed (`files`' hook,
    registered earlier, runs after this one)."""
    for worker in list(_LIVE):
        worker.close()


class Worker:
    """The parent's handle on a worker process."""

    def __init__(self, max_threads: int = 4, timeout: float = 120.0, env: dict[str, str] | None = None,
                 sandbox=None):
        """`sandbox` (a `sandbox.Sandbox`): run there, for code paralift did not write."""
        # the candidate's `cache=True` must not write next to the user's files
        if sandbox is None:
            from paralift.verify.sandbox import current
            sandbox = current()
        self.sandbox = sandbox
        self.cache = temporary_directory("paralift-numba-cache-", sandbox.tmp if sandbox else None)
        own = dict(NUMBA_NUM_THREADS=str(max_threads), NUMBA_CACHE_DIR=self.cache, **(env or {}))
        self.env = sandbox.env(own) if sandbox else dict(os.environ, **own)
        self.timeout = timeout
        self.loads: list = []  # replayed into a fresh process after a crash or a timeout
        _LIVE.add(self)
        self.proc = self._start()

    def _start(self) -> subprocess.Popen:
        # its own process group, so that what the code under test forks is killed with it,
        # and killed itself if paralift dies first (a hung kernel must not outlive us)
        argv = [sys.executable, "-m", "paralift.verify.worker"]
        box = self.sandbox
        return subprocess.Popen(box.argv(argv) if box else argv, cwd=box.workdir if box else None,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=self.env,
                                start_new_session=True, preexec_fn=box.preexec if box else die_with_parent)

    def _kill(self) -> None:
        kill_group(self.proc)

    def request(self, msg, timeout: float | None = None):
        """Send one request; a crashed or hung worker answers with an error, and the next
        request starts a fresh process with what was loaded loaded again."""
        if self.proc.poll() is not None:
            self.proc = self._start()
            for load in self.loads:
                if self._exchange(load, self.timeout)[0] != "ok":
                    break
        if msg[0] == "load":  # a module replaces the last one; C libraries add up
            self.loads = [m for m in self.loads if m[0] != "load"]
        if msg[0] in ("load", "cload"):
            self.loads.append(msg)
        return self._exchange(msg, timeout or self.timeout)

    def _exchange(self, msg, timeout: float):
        reply: list = []

        def talk():
            try:
                _send(self.proc.stdin, msg)
                reply.append(_recv(self.proc.stdout))
            except (BrokenPipeError, OSError):
                reply.append(None)

        t = threading.Thread(target=talk, daemon=True)
        t.start()
        t.join(timeout)
        hung = t.is_alive()  # before the kill, which ends the thread too
        if hung or not reply or reply[0] is None:
            self._kill()
            if hung:
                return ("error", "TimeoutError", f"no answer within {timeout:g} s")
            return ("error", "WorkerError", "the process crashed")
        return reply[0]

    def close(self) -> None:
        if getattr(self, "proc", None) is not None:
            self._kill()
        remove_directory(self.cache)
        _LIVE.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


if __name__ == "__main__":
    serve()
