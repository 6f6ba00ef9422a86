"""The C preprocessor, run as the build runs it, with every span mapped back.

The system `cc -E` expands the file on the user's flags (`cbuild.flags_for`): macros,
`#include`, `#if`. The C frontend parses what the compiler would see, so `DATA_TYPE` is a
type, `SQRT_FUN(x)` a call of `sqrt` and `A[N][M]` an array with extents, while every span
points into the text the user wrote, so that diagnostics and rewrites land there.

The map comes from a second run on a copy with marker identifiers around each macro use
and each of its arguments (`__pl_b3__ SQRT_FUN(__pl_a5__ x[j] __pl_z5__) __pl_e3__`) and at
the start of each `#if` group: tokens outside markers are the user's own tokens in order;
a copy of an argument that is its tokens unchanged maps to them; the rest of a use's
tokens map to the whole use.
The marked run must expand to the same tokens as the plain one (a marker can keep an
object-like macro's result from taking the `(...)` that follows), or the map is not trusted
and the caller parses the raw text instead.
"""
from __future__ import annotations

import bisect
import functools
import os
import re
import subprocess
from dataclasses import dataclass, field, replace

from paralift.cbuild import flags_for, local_path
from paralift.diagnostics import Diagnostic, Severity, Span

CPP_TIMEOUT = 60.0
_TOKEN = re.compile(r"""
    (?P<space>[ \t\f\v\r]+|\\\r?\n)
  | (?P<newline>\n)
  | (?P<comment>//(?:[^\n\\]|\\.|\\\n)*|/\*.*?(?:\*/|\Z))
  | (?P<string>(?:u8|[uUL])?(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?))
  | (?P<number>\.?\d(?:[eEpP][+-]|[\w.])*)
  | (?P<name>[A-Za-z_$]\w*)
  | (?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\#\#|.)
""", re.X | re.S)
_MARKER = re.compile(r"__pl_([bgeaz])(\d+)__")
_LINEMARKER = re.compile(r'^#\s*(\d+)\s+"((?:[^"\\]|\\.)*)"')
_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(\w*)", re.M)
_CONDITIONAL = {"if", "ifdef", "ifndef", "elif", "elifdef", "elifndef", "else"}
_MAIN = "<stdin>"


@dataclass(frozen=True)
class Token:
    text: str
    start: int       # offset of the first character
    end: int


@dataclass(frozen=True)
class Origin:
    """Where an expanded token came from: the user's token itself, or the macro use that
    produced it (`use` numbers the use; its tokens all have the use's span). A token of an
    argument's unchanged copy is the user's own token, `within` the use."""

    line: int
    col: int
    end_line: int
    end_col: int
    use: int | None = None
    within: int | None = None

    def enclosing(self) -> int | None:
        return self.use if self.use is not None else self.within


@dataclass(frozen=True)
class Expansion:
    """The translation unit as the compiler sees it, and the way back to the user's text."""

    text: str
    starts: tuple[int, ...]               # offset of each expanded token, ascending
    ends: tuple[int, ...]
    origins: tuple[Origin, ...]           # a header's code is left out of `text`
    uses: dict[int, tuple[int, int]]      # macro use -> (first, last) token index
    path: str
    use_origins: dict[int, Origin] = field(default_factory=dict)  # each use's whole text
    typedefs: dict[str, str] = field(default_factory=dict)   # `typedef double real;`, headers' too

    def span(self, start: int, end: int) -> Span | None:
        """The user's text that the expanded characters [start, end) came from (None when
        they hold no token). A span that covers only part of what a macro produced is not
        `spelled`: its text is the whole use."""
        a = bisect.bisect_left(self.starts, start)
        b = bisect.bisect_right(self.ends, end) - 1
        mine = range(a, b + 1)
        if not mine:
            return None
        first, last = self.origins[a], self.origins[b]
        lo, hi = (first.line, first.col), (last.end_line, last.end_col)
        whole = True
        for u in {self.origins[k].enclosing() for k in mine} - {None}:
            f, l = self.uses[u]
            if a <= f and l <= b:  # all of the use: its whole text
                use = self.origins[f] if self.origins[f].use == u else self.use_origins[u]
                lo, hi = min(lo, (use.line, use.col)), max(hi, (use.end_line, use.end_col))
            elif not all(self.origins[k].use is None and self.origins[k].within == u for k in mine):
                whole = False  # part of what a macro wrote (inside one argument's copy is exact)
        return Span(lo[0], lo[1], hi[0], hi[1], self.path, whole)


_TYPEDEF = re.compile(r"\btypedef\s+((?:[A-Za-z_]\w*\s+)+?)([A-Za-z_]\w*)\s*;")
_ARITHMETIC = {"const", "volatile", "signed", "unsigned", "short", "long", "int", "char", "float", "double",
               "_Bool"}


def typedefs(text: str) -> dict[str, str]:
    """Simple typedefs of arithmetic types in C text (`typedef double real;`), resolved
    through each other: what the tester needs to make an argument of type `real`."""
    out: dict[str, str] = {}
    for m in _TYPEDEF.finditer(text):
        words = " ".join(out.get(w, w) for w in m.group(1).split()).split()
        if words and set(words) <= _ARITHMETIC:
            out[m.group(2)] = _canonical(" ".join(words))
    return out


def _canonical(words: str) -> str:
    """`long unsigned int` as `unsigned long`, the one spelling of each integer type."""
    w = words.split()
    quals = [q for q in w if q in ("const", "volatile")]
    rest = [x for x in w if x not in ("const", "volatile")]
    if not set(rest) <= {"signed", "unsigned", "short", "long", "int", "char"} or not rest:
        return words
    size = "char" if "char" in rest else "short" if "short" in rest else \
        "long long" if rest.count("long") > 1 else "long" if "long" in rest else "int"
    sign = "unsigned " if "unsigned" in rest else "signed " if size == "char" and "signed" in rest else ""
    return " ".join(quals + [sign + size])


def needs_preprocessing(source: str) -> bool:
    """Only a directive (other than `#pragma`) can make the compiler see other code."""
    return any(m.group(1) != "pragma" for m in _DIRECTIVE.finditer(source))


def expand(source: str, path: str) -> tuple[Expansion | None, tuple[Diagnostic, ...]]:
    """Preprocess `source` (the contents of `path`) on its build flags. A header that cannot
    be found is reported and its `#include` left out; anything else the preprocessor
    rejects, or a map that cannot be trusted, gives None: parse the raw text."""
    flags, local = flags_for(path), local_path(path)
    directory = os.path.dirname(os.path.abspath(local)) if local and not local.startswith("<") else os.getcwd()
    directory = directory if os.path.isdir(directory) else os.getcwd()
    text, notes = source, []
    for _ in range(16):
        plain = _run(text, ("-dD", *flags), directory)
        missing = re.search(r"^<stdin>:(\d+):(\d+): fatal error: (\S+): No such file", plain.stderr, re.M)
        if plain.returncode == 0 or not missing:
            break
        line, col = int(missing.group(1)), int(missing.group(2))
        notes.append(Diagnostic("PL006", f"header {missing.group(3)} not found; analyzing without it "
                                f"(give the directory that holds it with -I DIR)",
                                Span(line, col - 1, line, col - 1, path), Severity.WARNING))
        text = _blank_line(text, line)
    if plain.returncode != 0:
        notes.append(_failure(plain.stderr, path))
        return None, tuple(notes)
    macros = _macro_names(plain.stdout, flags)
    own = _own_tokens(text)
    expected = _tokens(_main_lines(plain.stdout))
    # arguments marked too, so that `a[i][j]` in `SQR(a[i][j])` maps to itself; a macro that
    # pastes its argument (`x ## _t`) makes that change the code: then only uses are marked
    for arguments in (True, False):
        marks = _marked(text, own, macros, arguments)
        run = _run(marks.text, flags, directory)
        expansion = _map(run.stdout, text, marks, own, path) if run.returncode == 0 else None
        if expansion is not None and _tokens(expansion.text) == expected:
            return replace(expansion, typedefs=typedefs(plain.stdout)), tuple(notes)
    return None, tuple(notes)


def _run(text: str, flags, directory: str) -> subprocess.CompletedProcess:
    argv = [os.environ.get("PARALIFT_CPP", "cc"), "-E", *flags, "-x", "c", "-"]
    try:
        return subprocess.run(argv, input=text, capture_output=True, text=True, cwd=directory,
                              timeout=CPP_TIMEOUT, errors="surrogateescape")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, -9, "", f"the preprocessor did not finish within {CPP_TIMEOUT:g} s")
    except OSError as err:
        return subprocess.CompletedProcess(argv, 127, "", f"{argv[0]}: {err.strerror}")


def _failure(stderr: str, path: str) -> Diagnostic:
    m = re.search(r"^<stdin>:(\d+):(\d+): (?:fatal )?error: (.*)$", stderr, re.M)
    if m:
        line, col = int(m.group(1)), int(m.group(2)) - 1
        return Diagnostic("PL006", f"the preprocessor stops here ({m.group(3)}); analyzing the file "
                          "as written, without its macros and headers", Span(line, col, line, col, path),
                          Severity.WARNING)
    first = next((x for x in stderr.splitlines() if x.strip()), "no message")
    return Diagnostic("PL006", f"cannot preprocess ({first}); analyzing the file as written",
                      Span(1, 0, 1, 0, path), Severity.WARNING)


def _blank_line(text: str, line: int) -> str:
    lines = text.split("\n")
    lines[line - 1] = ""
    return "\n".join(lines)


@functools.lru_cache(maxsize=32)
def _predefined(flags: tuple[str, ...]) -> frozenset[str]:
    run = _run("", ("-dM", *flags), os.getcwd())
    return frozenset(re.findall(r"^#define (\w+)", run.stdout, re.M))


def _macro_names(dd_output: str, flags) -> dict[str, bool]:
    """Every macro the file can use -> whether it is (ever) function-like."""
    names = dict.fromkeys(_predefined(tuple(flags)), False)
    for m in re.finditer(r"^#define (\w+)(\()?", dd_output, re.M):
        names[m.group(1)] = names.get(m.group(1), False) or bool(m.group(2))
    return names


def _main_lines(output: str) -> str:
    """The lines of the preprocessor's output that come from the user's file."""
    keep, mine = [], False
    for raw in output.split("\n"):
        lm = _LINEMARKER.match(raw)
        if lm:
            mine = lm.group(2) == _MAIN
        elif mine and not raw.lstrip().startswith("#"):
            keep.append(raw)
    return "\n".join(keep)


def code_tokens(text: str, start: int = 0, end: int | None = None):
    """(token, offset) of C text in [start, end), comments and layout skipped."""
    for m in _TOKEN.finditer(text, start, len(text) if end is None else end):
        if m.lastgroup not in ("space", "newline", "comment"):
            yield m.group(), m.start()


def _tokens(text: str) -> list[str]:
    """The preprocessor's output as a token list (linemarkers, pragmas and layout aside)."""
    text = re.sub(r"^#.*$", "", text, flags=re.M)
    # inside strings, layout aside: a stringified argument (`assert(x)`) holds its markers' blanks
    return [re.sub(r"\s+", "", t) if t[-1:] in "\"'" else t for t, _ in code_tokens(text)]


@dataclass(frozen=True)
class Own:
    """A token of the user's text outside directives, and the `#if` group it sits in."""

    text: str
    start: int
    end: int
    group: int


def _own_tokens(text: str) -> list[Own]:
    out: list[Own] = []
    stack, groups, at_start, directive = [0], 0, True, None
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "newline" or (kind == "comment" and "\n" in m.group() and directive is None):
            if directive is not None and kind == "newline":
                groups = _conditional(directive, stack, groups)
                directive = None
            at_start = at_start or kind == "newline"
            continue
        if kind in ("space", "comment"):
            continue
        if directive is not None:
            directive.append(m.group())
        elif at_start and m.group() == "#":
            directive = []
        else:
            out.append(Own(m.group(), m.start(), m.end(), stack[-1]))
        at_start = False
    if directive is not None:
        _conditional(directive, stack, groups)
    return out


def _conditional(directive: list[str], stack: list[int], groups: int) -> int:
    """Track `#if` nesting: a new group opens at `#if` and at each `#elif`/`#else`."""
    name = directive[0] if directive else ""
    if name in _CONDITIONAL:
        groups += 1
        if name.startswith(("if",)):
            stack.append(groups)
        else:
            stack[-1] = groups
    elif name == "endif" and len(stack) > 1:
        stack.pop()
    return groups


@dataclass(frozen=True)
class Marks:
    """The text with markers; each macro use and each argument of one as (first, last)
    index into the user's tokens."""

    text: str
    uses: tuple[tuple[int, int], ...]
    arguments: tuple[tuple[int, int], ...]


def _marked(text: str, own: list[Own], macros: dict[str, bool], arguments: bool) -> Marks:
    uses, k = [], 0
    while k < len(own):
        t = own[k]
        function_like = macros.get(t.text)
        if function_like is None or not (t.text[0].isalpha() or t.text[0] == "_"):
            k += 1
            continue
        last = k
        if function_like:
            last = _closing(own, k + 1) if k + 1 < len(own) and own[k + 1].text == "(" else None
            if last is None:
                k += 1
                continue
        uses.append((k, last))
        k = last + 1
    args = [a for first, last in uses for a in _arguments(own, first, last)] if arguments else []
    inserts = []
    seen = {0}
    for t in own:
        if t.group not in seen:
            seen.add(t.group)
            inserts.append((t.start, 1, f"__pl_g{t.group}__ "))
    for n, (a, b) in enumerate(uses):
        inserts.append((own[a].start, 2, f"__pl_b{n}__ "))
        inserts.append((own[b].end, 0, f" __pl_e{n}__"))
    for n, (a, b) in enumerate(args):
        inserts.append((own[a].start, 2, f"__pl_a{n}__ "))
        inserts.append((own[b].end, 0, f" __pl_z{n}__"))
    pieces, at = [], 0
    for offset, _, s in sorted(inserts):
        pieces += [text[at:offset], s]
        at = offset
    pieces.append(text[at:])
    return Marks("".join(pieces), tuple(uses), tuple(args))


def _arguments(own: list[Own], first: int, last: int) -> list[tuple[int, int]]:
    """The non-empty arguments of the function-like use own[first:last + 1]."""
    if first == last:
        return []
    out, depth, start = [], 0, first + 2
    for j in range(first + 1, last + 1):
        t = own[j].text
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
        if (depth == 0 and j == last) or (depth == 1 and t == ","):
            if start <= j - 1:
                out.append((start, j - 1))
            start = j + 1
    return out


def _closing(own: list[Own], k: int) -> int | None:
    depth, group = 0, own[k].group
    for j in range(k, len(own)):
        if own[j].group != group:
            return None
        depth += {"(": 1, ")": -1}.get(own[j].text, 0)
        if depth == 0:
            return j
    return None


class _Mapper:
    """Walks the marked run's output, pairing each token with where it came from."""

    def __init__(self, own: list[Own], marks: Marks, origin_of):
        inside = {j for a, b in marks.uses for j in range(a, b + 1)}
        self.expected = [t for j, t in enumerate(own) if j not in inside]
        self.own, self.uses, self.arguments, self.origin_of = own, marks.uses, marks.arguments, origin_of
        self.p, self.active, self.use, self.argument = 0, {0}, None, None
        self.starts, self.ends, self.origins, self.texts, self.spans = [], [], [], [], {}
        self.use_origins: dict[int, Origin] = {}

    def marker(self, kind: str, n: int) -> None:
        if kind == "g":
            self.active.add(n)
        elif kind == "b":
            self.use = n
        elif kind == "e":
            self.use = None
        elif kind == "a":
            self.argument = (n, len(self.starts))
        elif self.argument is not None and self.argument[0] == n:
            self._argument_ends(n, self.argument[1])
            self.argument = None

    def _argument_ends(self, n: int, begin: int) -> None:
        """An argument's copy that is its own tokens unchanged maps to them one by one."""
        a, b = self.arguments[n]
        copy = range(begin, len(self.starts))
        if len(copy) != b - a + 1:
            return
        if all(self.texts[k] == self.own[j].text for k, j in zip(copy, range(a, b + 1))):
            for k, j in zip(copy, range(a, b + 1)):
                self.origins[k] = replace(self.origin_of(self.own[j].start, self.own[j].end, None), within=self.use)

    def token(self, text: str, start: int, end: int) -> bool:
        if self.use is not None:
            a, b = self.uses[self.use]
            origin = self.origin_of(self.own[a].start, self.own[b].end, self.use)
            self.use_origins[self.use] = origin
            first, _ = self.spans.get(self.use, (len(self.starts), 0))
            self.spans[self.use] = (first, len(self.starts))
        else:
            while self.p < len(self.expected) and self.expected[self.p].group not in self.active:
                self.p += 1
            if self.p >= len(self.expected) or self.expected[self.p].text != text:
                return False
            t = self.expected[self.p]
            origin = self.origin_of(t.start, t.end, None)
            self.p += 1
        self.starts.append(start)
        self.ends.append(end)
        self.texts.append(text)
        self.origins.append(origin)
        return True

    def finished(self) -> bool:
        rest = self.expected[self.p:]
        return all(t.group not in self.active for t in rest)


def _map(output: str, text: str, marks: Marks, own: list[Own], path: str) -> Expansion | None:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def origin(a: int, b: int, use: int | None) -> Origin:
        line, end_line = bisect.bisect_right(starts, a), bisect.bisect_right(starts, b)
        return Origin(line, a - starts[line - 1], end_line, b - starts[end_line - 1], use)
    mapper = _Mapper(own, marks, origin)
    pieces, offset, mine = [], 0, False
    for raw in output.split("\n"):
        lm = _LINEMARKER.match(raw)
        if lm or raw.lstrip().startswith("#"):
            mine = (lm.group(2) == _MAIN) if lm else mine
            pieces.append("" if lm else raw)
            offset += (0 if lm else len(raw)) + 1
            continue
        if not mine:  # a header's code: declarations the analysis has no use for, left out
            pieces.append("")
            offset += 1
            continue
        for m in _TOKEN.finditer(raw):
            if m.lastgroup in ("space", "newline", "comment"):
                continue
            marker = _MARKER.fullmatch(m.group())
            if marker:
                mapper.marker(marker.group(1), int(marker.group(2)))
            elif not mapper.token(m.group(), offset + m.start(), offset + m.end()):
                return None
        pieces.append(_MARKER.sub(lambda x: " " * len(x.group()), raw))
        offset += len(raw) + 1
    if not mapper.finished():
        return None
    return Expansion("\n".join(pieces), tuple(mapper.starts), tuple(mapper.ends), tuple(mapper.origins),
                     mapper.spans, path, mapper.use_origins)
