"""The user's C build flags: `-I`, `-D`, `-U`, `-std` given on the command line, and the
flags a compilation database (`compile_commands.json`, as CMake, Bear and Meson write it)
records for each file. The preprocessor (`frontend/cpp.py`) and every compile the tester
runs take a file's flags from here, so analysis and verification see the code as the
build does.
"""
from __future__ import annotations

import functools
import json
import os
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

# flags that change what the preprocessor or the compiler's language makes of the text;
# the rest of a recorded command (-O2, -o x.o, -c, warnings) is the build's business
_WITH_VALUE = ("-I", "-D", "-U", "-isystem", "-iquote", "-idirafter", "-include")
_PATH_VALUE = {"-I", "-isystem", "-iquote", "-idirafter", "-include"}
_ALONE = ("-std=", "-ansi", "-fopenmp", "-pthread")


class DatabaseError(ValueError):
    """A compilation database that cannot be read: the message says where and why."""


@dataclass(frozen=True)
class Database:
    """`compile_commands.json`: each file's flags, by absolute path."""

    path: str
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def lookup(self, source: str) -> tuple[str, ...] | None:
        return self.flags.get(os.path.realpath(source))


def load_database(path: str) -> Database:
    """Read `path`, or `path/compile_commands.json` when `path` is a build directory
    (`-p build`, as clang-tidy takes it)."""
    if os.path.isdir(path):
        path = os.path.join(path, "compile_commands.json")
    try:
        with open(path, encoding="utf-8") as f:
            entries = json.load(f)
    except OSError as err:
        raise DatabaseError(f"{path}: cannot read the compilation database: {err.strerror}") from err
    except ValueError as err:
        raise DatabaseError(f"{path}: not a compilation database (invalid JSON: {err})") from err
    if not isinstance(entries, list):
        raise DatabaseError(f"{path}: not a compilation database (expected a list of entries)")
    flags = {}
    for n, entry in enumerate(entries):
        try:
            directory = entry["directory"]
            argv = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
            source = os.path.realpath(os.path.join(directory, entry["file"]))
        except (KeyError, TypeError, ValueError) as err:
            raise DatabaseError(f"{path}: entry {n} lacks `directory`, `file` or a command ({err})") from err
        flags.setdefault(source, preprocessor_flags(argv[1:], directory))
    return Database(os.path.abspath(path), flags)


def preprocessor_flags(argv: Sequence[str], directory: str) -> tuple[str, ...]:
    """The flags of one command line that matter to paralift, paths made absolute."""
    out, k = [], 0
    while k < len(argv):
        arg = argv[k]
        flag = next((f for f in _WITH_VALUE if arg == f or (arg.startswith(f) and f in ("-I", "-D", "-U"))), None)
        if flag is not None:
            value = arg[len(flag):] if arg != flag else (argv[k + 1] if k + 1 < len(argv) else "")
            k += 1 if arg != flag else 2
            if flag in _PATH_VALUE:
                value = os.path.normpath(os.path.join(directory, value))
            out += [flag, value]
            continue
        if arg.startswith(_ALONE):
            out.append(arg)
        k += 1
    return tuple(out)


@dataclass(frozen=True)
class BuildFlags:
    given: tuple[str, ...] = ()          # -I/-D/-U/-std from the command line, paths absolute
    database: Database | None = None


_FLAGS: ContextVar[BuildFlags] = ContextVar("paralift_build_flags", default=BuildFlags())


@contextmanager
def build_flags(given: Sequence[str] = (), database: Database | None = None) -> Iterator[None]:
    """The user's flags for every C file read, preprocessed or compiled in this block."""
    token = _FLAGS.set(BuildFlags(preprocessor_flags(list(given), os.getcwd()), database))
    try:
        yield
    finally:
        _FLAGS.reset(token)


def flags_for(path: str) -> tuple[str, ...]:
    """A file's flags: its compilation database entry, then what the command line adds.
    Without `-p`, the database is looked for as clang-tidy and clangd do: in the file's
    directory and each one above it (there or in its `build/`)."""
    current = _FLAGS.get()
    path = local_path(path)
    if not path or path.startswith("<"):
        return current.given
    database = current.database or discovered(os.path.dirname(os.path.abspath(path)))
    recorded = database.lookup(path) if database else None
    return (recorded or ()) + current.given


def local_path(path: str) -> str:
    """A file's path; the editor names files by `file://` URI."""
    if path.startswith("file://"):
        from urllib.parse import unquote, urlparse
        return unquote(urlparse(path).path)
    return path


def discovered(directory: str) -> Database | None:
    """The nearest readable `compile_commands.json` at or above `directory`."""
    while True:
        for candidate in (os.path.join(directory, "compile_commands.json"),
                          os.path.join(directory, "build", "compile_commands.json")):
            if os.path.isfile(candidate):
                try:
                    return _cached(candidate, os.stat(candidate).st_mtime_ns)
                except DatabaseError:
                    return None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


@functools.lru_cache(maxsize=8)
def _cached(path: str, mtime: int) -> Database:
    return load_database(path)


def unlisted(path: str) -> bool:
    """Is there a database that does not list `path`? (Its flags are then unknown.)"""
    current = _FLAGS.get()
    return current.database is not None and current.database.lookup(path) is None
