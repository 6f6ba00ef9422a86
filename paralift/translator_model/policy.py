"""What a model's reply may contain, and what paralift tells the model back.

A reply is code paralift did not write. Before anything runs:
- Python: only imports and function definitions (with their decorators and docstrings) at
  the top level; any other statement would run on import and be written into the user's
  file with the function.
- C: only standard headers (`#include <stdio.h>`, OpenMP's, MPI's, CUDA's), and no
  attribute that runs code on load (`constructor`, `destructor`), no `asm`, no `#pragma`
  other than `omp`.

Feedback to the model is paralift's own text, one line, bounded: never raw stderr or
compiler output that could quote a file.
"""
from __future__ import annotations

import ast
import re

FEEDBACK_LIMIT = 300

STANDARD_HEADERS = frozenset("""
assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h locale.h
math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h stdint.h stdio.h
stdlib.h stdnoreturn.h string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h
omp.h mpi.h cuda.h cuda_runtime.h cuda_runtime_api.h device_launch_parameters.h
cmath cstdio cstdlib cstring cstdint climits cfloat algorithm
""".split())

_INCLUDE = re.compile(r"^\s*#\s*include\s*(.*)$", re.M)
_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)(.*)$", re.M)
_ATTRIBUTE = re.compile(r"__attribute__\s*\(\(([^;{]*?)\)\)", re.S)
_ON_LOAD = re.compile(r"\b(constructor|destructor|ifunc|alias|section|weakref)\b")
_ASM = re.compile(r"\b(asm|__asm__|__asm)\b")
_DIRECTIVES_OK = {"include", "pragma", "define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif"}


def reply_problem(code: str, language: str) -> str | None:
    """Why this reply may not run or be written, or None."""
    return _c_problem(code) if language == "c" else _python_problem(code)


def _python_problem(code: str) -> str | None:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None  # the syntax check says so, with the line
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # a docstring
        what = ast.unparse(node).splitlines()[0][:80]
        return (f"line {node.lineno} of the reply is `{what}`: a reply may only import modules and "
                "define functions (no other statement at the top level)")
    return None


def _c_problem(code: str) -> str | None:
    for m in _INCLUDE.finditer(code):
        target = m.group(1).strip()
        header = target[1:-1].strip() if target[:1] == "<" and target[-1:] == ">" else None
        if header not in STANDARD_HEADERS:
            return (f"`#include {target}`: a reply may only include standard headers "
                    f"({', '.join(sorted(h for h in STANDARD_HEADERS if h.endswith('.h'))[:6])}, ...)")
    for m in _DIRECTIVE.finditer(code):
        name = m.group(1)
        if name not in _DIRECTIVES_OK:
            return f"`#{name}` is not allowed in a reply"
        if name == "pragma" and not re.match(r"\s*omp\b", m.group(2)):
            return f"`#pragma{m.group(2)[:40]}`: only `#pragma omp` is allowed in a reply"
    for m in _ATTRIBUTE.finditer(code):
        if _ON_LOAD.search(m.group(1)):
            return f"`__attribute__(({m.group(1).strip()[:40]}))` runs code on load and is not allowed"
    if _ASM.search(code):
        return "inline assembly is not allowed in a reply"
    return None


def for_model(text: str, limit: int = FEEDBACK_LIMIT) -> str:
    """One line of paralift's own message for the next prompt: what follows the first line
    (a traceback, a compiler's quote of a source file) stays here."""
    first = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[:limit - 3] + "..."
