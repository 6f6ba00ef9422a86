"""Running the compilers on sources paralift did not necessarily write: with a timeout, and
never reading standard input (a `#include "/dev/stdin"` must not hang us)."""
from __future__ import annotations

import os
import re
import subprocess

COMPILE_TIMEOUT = 120.0


def compile_program(argv: list[str], timeout: float = COMPILE_TIMEOUT) -> subprocess.CompletedProcess:
    """gcc, g++, nvcc or mpicc: the completed process; a compiler that runs past `timeout`
    is killed and reported as a failed build."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, -9, "", f"{argv[0]} did not finish within {timeout:g} s")
    except OSError as err:
        return subprocess.CompletedProcess(argv, 127, "", f"{argv[0]}: {err.strerror}")


_ERROR = re.compile(r"^.*:\d+:(\d+:)? (fatal )?error: .*$", re.M)


def first_error(messages: str) -> str:
    """The compiler's first `file:line:col: error: ...` line (not its quotes of source)."""
    m = _ERROR.search(messages)
    if m:
        return m.group(0).strip()
    return next((line.strip() for line in messages.splitlines() if line.strip()), "no message")


def include_flags(path: str) -> list[str]:
    """`-I` for the directory the source came from: the copy the tester compiles lives
    elsewhere, and `#include "params.h"` must still find the header beside the original."""
    directory = os.path.dirname(os.path.abspath(path))
    return ["-I", directory] if path and not path.startswith("<") and os.path.isdir(directory) else []
