"""A process that runs one candidate kernel under Numba, on request.

Numba fixes its thread pool size when it starts (`NUMBA_NUM_THREADS`), and a compiled
kernel should be compiled once and called many times, so the candidate lives in its own
long-lived process. The protocol is length-prefixed pickles on stdin/stdout:

    ("load", source, path)                -> ("ok",) | ("error", type, message)
    ("call", function, threads, args)     -> ("ok", args_after, result) | ("error", type, message)
"""
from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import BinaryIO


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


def serve() -> None:
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the kernel's own prints must not corrupt the protocol
    namespace: dict = {}
    while (msg := _recv(requests)) is not None:
        try:
            if msg[0] == "load":
                _, source, path = msg
                namespace = {"__name__": "paralift_candidate", "__file__": path}
                exec(compile(source, path, "exec"), namespace)  # noqa: S102 - the user's own code
                reply = ("ok",)
            else:
                _, name, threads, args = msg
                import numba
                numba.set_num_threads(threads)
                result = namespace[name](*args)
                reply = ("ok", args, result)
        except BaseException as err:  # noqa: BLE001 - every failure is a reply, not a crash
            reply = ("error", type(err).__name__, str(err).strip()[:4000])
        _send(replies, reply)


class Worker:
    """The parent's handle on a worker process."""

    def __init__(self, max_threads: int = 4, timeout: float = 120.0):
        env = dict(os.environ, NUMBA_NUM_THREADS=str(max_threads))
        self.timeout = timeout
        self.proc = subprocess.Popen([sys.executable, "-m", "paralift.verify.worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)

    def request(self, msg):
        reply: list = []

        def talk():
            _send(self.proc.stdin, msg)
            reply.append(_recv(self.proc.stdout))

        t = threading.Thread(target=talk, daemon=True)
        t.start()
        t.join(self.timeout)
        if t.is_alive() or not reply or reply[0] is None:
            self.close()
            what = "timed out" if t.is_alive() else "died"
            return ("error", "WorkerError", f"the candidate's process {what}")
        return reply[0]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


if __name__ == "__main__":
    serve()
