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


def needed_only(source: str, *functions: str) -> str:
    """The file with only `functions` and the functions they call (transitively) defined;
    the others keep their declaration. A symbol another function uses (a library's data, a
    global defined in another file) then need not exist to test this one."""
    from paralift.frontend.cpp import code_tokens
    bodies = _function_bodies(source)
    calls = {name: {t for t, _ in code_tokens(source, a, b)} & bodies.keys() for name, (a, b) in bodies.items()}
    keep, todo = set(), list(functions)
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo += calls.get(name, ())
    out, at = [], 0
    for name, (a, b) in sorted(bodies.items(), key=lambda x: x[1]):
        if name not in keep:
            out += [source[at:a], ";" + "\n" * source.count("\n", a, b)]
            at = b
    return "".join(out) + source[at:]


def _function_bodies(source: str) -> dict[str, tuple[int, int]]:
    """Each file-scope function definition's name -> its body's [start, end) offsets."""
    from paralift.frontend.cpp import code_tokens
    out, depth, recent, start = {}, 0, [], None
    for text, offset in code_tokens(source):
        if text == "{":
            if depth == 0 and len(recent) >= 2 and recent[-1] == ")":
                name, start = _called(recent), offset
                out[name] = (start, start)
            depth += 1
        elif text == "}" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                out[name] = (start, offset + 1)
                start = None
        if depth == 0:
            recent = (recent + [text])[-64:]
    return {k: v for k, v in out.items() if k and v[1] > v[0]}


def _called(recent: list[str]) -> str:
    """The name before the parameter list that ends `recent` (`f ( ... )`)."""
    depth = 0
    for k in range(len(recent) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(recent[k], 0)
        if depth == 0:
            return recent[k - 1] if k and (recent[k - 1][0].isalpha() or recent[k - 1][0] == "_") else ""
    return ""


def _without_main_body(source: str) -> str:
    body = _function_bodies(source).get("main")
    if body is None:
        return source
    a, b = body
    return source[:a] + ";" + "\n" * source.count("\n", a, b) + source[b:]
