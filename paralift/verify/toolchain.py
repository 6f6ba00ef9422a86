"""Running the compilers on sources paralift did not necessarily write: with a timeout, and
never reading standard input (a `#include "/dev/stdin"` must not hang us)."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

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


_USER_FLAGS: ContextVar[tuple[str, ...]] = ContextVar("paralift_user_cflags", default=())


@contextmanager
def user_flags(flags: Sequence[str]) -> Iterator[None]:
    """The user's `-I`, `-D` and `-std` for every C compile in this block."""
    token = _USER_FLAGS.set(tuple(flags))
    try:
        yield
    finally:
        _USER_FLAGS.reset(token)


def include_flags(path: str) -> list[str]:
    """`-I` for the directory the source came from (the copy the tester compiles lives
    elsewhere, and `#include "params.h"` must still find the header beside the original),
    then the user's own flags (`paralift rewrite -I include -D N=64 --std c99`)."""
    directory = os.path.dirname(os.path.abspath(path))
    own = ["-I", directory] if path and not path.startswith("<") and os.path.isdir(directory) else []
    return own + list(_USER_FLAGS.get())


def with_hint(error: str) -> str:
    """A compiler error, and the flag that is likely missing: a header not found wants
    `-I`, a name never declared (`N`, `DATA_TYPE`) may be a macro the build defines."""
    header = re.search(r"fatal error: ([^:]+): No such file", error)
    if header:
        return f"{error} (give the directory that holds {header.group(1)} with -I DIR)"
    name = re.search(r"'(\w+)' undeclared|unknown type name '(\w+)'|#error", error)
    if name:
        macro = next((g for g in name.groups() if g), None)
        return error + (f" (if `{macro}` is a macro your build defines, pass -D {macro}=...)" if macro
                        else " (a macro your build defines? pass it with -D NAME=VALUE)")
    return error


_STATIC_FUNCTION = re.compile(r"^static\s+(?:inline\s+)?(?=[^;=\n]*\()", re.M)


def exported(source: str) -> str:
    """The tester's copy of a C file, its `static` functions made visible: the tester calls a
    function through the shared library, and a static one is not in its symbol table. Only
    file-scope declarations lose the word (a static local stays static)."""
    return _STATIC_FUNCTION.sub("", source)
