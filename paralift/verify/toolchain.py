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
    """`-I` for the directory the source came from (the copy the tester compiles lives
    elsewhere, and `#include "params.h"` must still find the header beside the original),
    then the file's build flags (`-p build`, `-I include -D N=64 --std c99`: `cbuild.py`)."""
    from paralift.cbuild import flags_for
    directory = os.path.dirname(os.path.abspath(path))
    own = ["-I", directory] if path and not path.startswith("<") and os.path.isdir(directory) else []
    return own + list(flags_for(path))


def cxx_flags(path: str) -> list[str]:
    """`include_flags` for a C++ or CUDA compile of C code: the C standard is C's alone."""
    return [f for f in include_flags(path) if not f.startswith(("-std=", "-ansi"))] if path else []


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
    file-scope declarations lose the word (a static local stays static). The program's
    `main` keeps only its declaration: what it alone uses (a timer library's data, other
    files' globals) need not exist for the functions under test to load."""
    return _without_main_body(_STATIC_FUNCTION.sub("", source))


_MAIN = re.compile(r"\bint\s+main\s*\(")


def _without_main_body(source: str) -> str:
    from paralift.frontend.cpp import code_tokens
    m = _MAIN.search(source)
    if m is None:
        return source
    depth, start = 0, None
    for text, offset in code_tokens(source, m.end()):
        if start is None and text == ";":
            return source  # a declaration, not the definition
        if text == "{":
            start = offset if start is None else start
            depth += 1
        elif text == "}" and start is not None:
            depth -= 1
            if depth == 0:
                body = source[start:offset + 1]
                return source[:start] + ";" + "\n" * body.count("\n") + source[offset + 1:]
    return source
