"""The analysis entry point shared by the CLI (and later the LSP server and hooks).

`analyze_source` never raises on bad input: problems come back as diagnostics in the
`FileAnalysis`, so one bad file never stops the others.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.files import not_regular, source_lines, strip_bom
from paralift.frontend import frontend_for
from paralift.frontend.python import ParseError
from paralift.ir import nodes as ir
from paralift.passes.effects import CallEnv, pure_helpers
from paralift.passes.verdict import KernelVerdicts, analyze_kernel

MAX_BYTES = 5_000_000
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "env", "node_modules",
             ".tox", ".mypy_cache", ".pytest_cache", "build", "dist", ".eggs"}


@dataclass(frozen=True)
class FileAnalysis:
    path: str
    language: str
    kernels: tuple[KernelVerdicts, ...] = ()
    errors: tuple[Diagnostic, ...] = field(default=())
    module: ir.Module | None = None


def _error(path: str, code: str, message: str, line: int = 1, col: int = 0) -> Diagnostic:
    return Diagnostic(code, message, Span(line, col, line, col, path), Severity.ERROR)


def analyze_source(source: str, path: str = "<string>", language: str = "python",
                   cache: dict | None = None) -> FileAnalysis:
    """Analyze every function of one file. Syntax errors come back as diagnostics; in C,
    the functions that parse are analyzed anyway.

    With a `cache` (a dict the caller keeps), a function whose text, position and module
    context are unchanged is not analyzed again: the editor re-analyzes only what an edit
    touched."""
    parse = frontend_for(language)
    if parse is None:
        return FileAnalysis(path, language, errors=(_error(
            path, "PL005", f"no frontend for {language} files"),))
    errors: tuple[Diagnostic, ...] = ()
    try:
        parsed = parse(source, path)
    except ParseError as err:
        return FileAnalysis(path, language, errors=(err.diagnostic,))
    except RecursionError:
        return FileAnalysis(path, language, errors=(_error(path, "PL001", "nesting too deep to parse"),))
    module, errors = parsed if isinstance(parsed, tuple) else (parsed, ())
    env = CallEnv(dict(module.imports), pure_helpers(module), module.language)
    if cache is None or language != "python":  # C spans name the function, not its whole text
        kernels = tuple(analyze_kernel(k, env) for k in module.kernels if k.kind == "function")
        return FileAnalysis(path, language, kernels, errors, module)
    lines = source_lines(source)
    context = (tuple(sorted(env.imports.items())), env.helpers, env.language, path)
    fresh: dict = {}
    for k in module.kernels:
        if k.kind != "function":
            continue
        # module-level code is scattered between the functions: its span does not cover it
        text = "\n".join(lines[k.span.line - 1:k.span.end_line]) if not k.name.startswith("<") else source
        key = (k.name, k.span.line, k.span.col, text, context)
        fresh[key] = cache[key] if key in cache else analyze_kernel(k, env)
    cache.clear()
    cache.update(fresh)
    kernels = tuple(fresh.values())
    return FileAnalysis(path, language, kernels, errors, module)


def read_source(path: str) -> tuple[str | None, Diagnostic | None]:
    """The file's text (without a UTF-8 byte-order mark, which `files.write_back` keeps), or
    why it cannot be read. Only regular files are read: a FIFO would block, a device never end."""
    odd = not_regular(path)
    if odd is not None:
        return None, _error(path, "PL003", f"cannot read file: {odd}")
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            return None, _error(path, "PL004", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = Path(path).read_bytes()
    except OSError as err:
        return None, _error(path, "PL003", f"cannot read file: {err.strerror or err}")
    try:
        return strip_bom(data.decode("utf-8"))[0], None
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1)
        return None, _error(path, "PL002", f"not valid UTF-8: byte 0x{data[err.start]:02x} "
                                           f"at offset {err.start}", line, col)


def language_of(path: str) -> str | None:
    return {".py": "python", ".c": "c", ".h": "c"}.get(Path(path).suffix)


def analyze_file(path: str) -> FileAnalysis:
    language = language_of(path) or ("python" if path.endswith(("pyw", "pyi")) or "." not in
                                      os.path.basename(path) else os.path.splitext(path)[1].lstrip("."))
    source, problem = read_source(path)
    if problem is not None:
        return FileAnalysis(path, language, errors=(problem,))
    return analyze_source(source, path, language)


def expand_paths(paths: Iterable[str]) -> Iterator[str | Diagnostic]:
    """Files to analyze: given files as they are, directories walked for known suffixes."""
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    found = os.path.join(root, name)
                    # a FIFO or device met in a walk is skipped; named on the command line, refused
                    if language_of(name) is not None and not_regular(found) is None:
                        yield found
        elif os.path.exists(p):
            yield p
        else:
            yield _error(p, "PL003", "no such file or directory")
