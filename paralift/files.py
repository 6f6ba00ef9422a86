"""The user's files: read them as Python and C compilers do, and never lose data writing.

Reading: only regular files (a FIFO would block, `/dev/zero` never ends); UTF-8, with a
byte-order mark accepted as CPython accepts it, and kept when the file is written back.

Writing (`write_back`):
- through a symlink to its target, which keeps the link;
- keeping the file's mode and owner; a file with other hard links is rewritten in place
  (the same inode), since replacing it would split it from its links;
- atomically otherwise: a temporary file in the same directory, renamed over the target;
- only if the file still holds what was read: an edit made meanwhile (by the user, or by
  another paralift run on other functions) is never overwritten.
Every failure is a `WriteError` with the reason, for a `file: cannot write: reason` line.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from paralift.diagnostics import Diagnostic, Severity, Span

BOM = "\ufeff"


class WriteError(Exception):
    """The file could not be written; the message says why, for the user."""


def not_regular(path: str) -> str | None:
    """Why `path` is no regular file (so reading it would hang or never end), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        return err.strerror or str(err)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a FIFO, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def strip_bom(text: str) -> tuple[str, bool]:
    return (text[1:], True) if text.startswith(BOM) else (text, False)


def _current(path: str) -> tuple[str, bool] | None:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise WriteError(f"cannot read it again before writing: {err.strerror or err}") from None
    try:
        return strip_bom(data.decode("utf-8"))
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), False


def write_back(path: str, text: str, read_as: str | None = None) -> None:
    """Write `text` to `path` (see the module docstring). `read_as` is what the file held
    when it was read (without a BOM); None for a new file, which must not exist yet... or
    may be replaced as a whole (`-o`), then pass None and nothing is compared."""
    target = os.path.realpath(path)  # through symlinks, to the file itself
    now = _current(target)
    if read_as is not None:
        if now is None:
            raise WriteError("it was removed while paralift was verifying it")
        if now[0] != read_as:
            raise WriteError("it changed while paralift was verifying it; run paralift again on the new text")
    bom = BOM if now is not None and now[1] else ""
    data = (bom + text).encode("utf-8")
    try:
        info = os.stat(target) if now is not None else None
        if info is not None and info.st_nlink > 1:
            _in_place(target, data)
        else:
            _atomic(target, data, info)
    except OSError as err:
        raise WriteError(err.strerror or str(err)) from None


def _in_place(target: str, data: bytes) -> None:
    with open(target, "r+b") as f:
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())


def _atomic(target: str, data: bytes, info: os.stat_result | None) -> None:
    directory = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=".paralift-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if info is not None:
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            _chown(tmp, info)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _chown(path: str, info: os.stat_result) -> None:
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()) or not hasattr(os, "chown"):
        return
    try:
        os.chown(path, info.st_uid, info.st_gid)
    except PermissionError:
        # only root may give a file away: keep the group at least, where we belong to it
        try:
            os.chown(path, -1, info.st_gid)
        except PermissionError:
            pass


_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of source text as Python's tokenizer and C compilers count them: broken at
    \\n, \\r\\n and \\r only. `str.splitlines` also breaks at form feeds, U+0085 and U+2028,
    which would shift every line number after one."""
    out, start = [], 0
    for m in _BREAK.finditer(text):
        out.append(text[start:m.end() if keepends else m.start()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


# Temporary directories of this process, removed at exit whatever ends it (an interrupt
# can land between making one and the `with` or `try` that would remove it).
_TEMPORARY: set[str] = set()


def temporary_directory(prefix: str, dir: str | None = None) -> str:
    path = tempfile.mkdtemp(prefix=prefix, dir=dir)
    _TEMPORARY.add(path)
    return path


def remove_directory(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
    _TEMPORARY.discard(path)


@atexit.register
def _remove_all() -> None:
    for path in list(_TEMPORARY):
        remove_directory(path)


# ------------------------------------------------------------------ reading and walking

MAX_BYTES = 5_000_000
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "env", "node_modules",
             ".tox", ".mypy_cache", ".pytest_cache", "build", "dist", ".eggs"}


def language_of(path: str) -> str | None:
    return {".py": "python", ".c": "c", ".h": "c"}.get(Path(path).suffix)


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


def _error(path: str, code: str, message: str, line: int = 1, col: int = 0) -> Diagnostic:
    return Diagnostic(code, message, Span(line, col, line, col, path), Severity.ERROR)
