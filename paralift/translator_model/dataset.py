"""Training data: (sequential, parallel, tests) records, every one verified by the tester.

`build_records` rewrites each file of a corpus with paralift's pipeline (Numba for Python,
OpenMP for C), keeps the functions the tester verified, and writes one record per
function. `generated_kernels` enlarges a corpus with random loop nests whose verdicts the
analysis knows, and `rename` with semantics-preserving mutations (renamed variables).
The acceptance corpus is never used: paths under a directory holding `score.py` next to an
`acceptance` folder are refused.
"""
from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from paralift import targets
from paralift.diagnostics import Diagnostic
from paralift.files import expand_paths, language_of, read_source, source_lines


class ForbiddenCorpus(ValueError):
    pass


def _forbidden(path: str) -> bool:
    p = Path(path).resolve()
    return any(parent.name == "acceptance" and (parent / "score.py").exists() for parent in [p, *p.parents])


class SourceFile:
    """One file's top-level functions, from one parse: their text, and the cut-down module
    each needs."""

    def __init__(self, source: str, path: str, language: str):
        from paralift.translator_model.loop import extents
        self.lines = source_lines(source)
        self.spans = extents(source, path, language)

    def text(self, name: str) -> str | None:
        span = self.spans.get(name)
        return "\n".join(self.lines[span[0]:span[1] + 1]) if span else None

    def module(self, function: str) -> str:
        """The file cut down to what `function` needs: every top-level line that is not a
        function (imports, includes, constants, types), `function` itself, and the
        functions it names, transitively. Naming is judged by the word alone, so the cut
        keeps too much rather than too little; a record's module runs on its own."""
        keep, frontier = {function}, [function]
        while frontier:
            body = self.text(frontier.pop()) or ""
            for other in self.spans.keys() - keep:
                if re.search(rf"\b{re.escape(other)}\b", body):
                    keep.add(other)
                    frontier.append(other)
        dropped = {n for name, (a, b) in self.spans.items() if name not in keep for n in range(a, b + 1)}
        kept = [ln for n, ln in enumerate(self.lines) if n not in dropped]
        return re.sub(r"\n{4,}", "\n\n\n", "\n".join(kept)).strip("\n") + "\n"


def module_for(source: str, path: str, language: str, function: str) -> str:
    return SourceFile(source, path, language).module(function)


def record_id(*parts: str) -> str:
    return hashlib.sha1(":".join(parts).encode()).hexdigest()[:12]


def records_for(source: str, path: str, origin: str = "corpus", group_of=None) -> Iterator[dict]:
    """One record per function paralift's pipeline rewrote and the tester verified.
    `group_of(function)` names the kernel a record derives from (a mutation shares its
    original's group), so a train/held-out split never separates the two."""
    from paralift.rewriting import rewrite_source
    language = language_of(path) or "python"
    target = targets.default_for(language)
    res = rewrite_source(source, path, target=target)
    original, rewritten = SourceFile(source, path, language), SourceFile(res.result, path, language)
    imports = new_imports(source, res.result, language)
    for v in res.verdicts:
        if not v.ok:
            continue
        before, after = original.text(v.function), rewritten.text(v.function)
        if before is None or after is None or before == after:
            continue
        rid = record_id(path, v.function, before)
        yield {"id": rid, "group": group_of(v.function) if group_of else rid, "origin": origin, "path": path,
               "language": language, "target": target, "function": v.function, "sequential": before,
               "parallel": after, "imports": imports, "module": original.module(v.function),
               "tests": v.summary(), "verified": True}


def _sources(paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(path, text) of every readable file under `paths`; the acceptance corpus refused."""
    for t in expand_paths(paths):
        if isinstance(t, Diagnostic):
            continue
        if _forbidden(t):
            raise ForbiddenCorpus(f"{t}: the acceptance corpus is never used for training")
        source, problem = read_source(t)
        if problem is None:
            yield t, source


def build_records(paths: Iterable[str], generated: int = 0, seed: int = 0, progress=None) -> Iterator[dict]:
    for t, source in _sources(paths):
        if progress:
            progress(t)
        yield from records_for(source, t)
    if generated:
        source = "\n\n".join(generated_kernels(generated, seed)) + "\n"

        def group(function: str) -> str:
            return f"generated:{seed}:{function}"
        yield from records_for(source, f"generated_{seed}.py", origin="generated", group_of=group)
        yield from records_for(rename(source, seed), f"renamed_{seed}.py", origin="mutated", group_of=group)


def unlabeled(paths: Iterable[str], progress=None) -> Iterator[dict]:
    """Kernels without a parallel version, for a model to translate (co-evolution's pool):
    every top-level function with loops, as a record skeleton with its module."""
    from paralift.analysis import analyze_source
    from paralift.translator_model.loop import loop_functions
    for t, source in _sources(paths):
        language = language_of(t) or "python"
        fa = analyze_source(source, t, language)
        if fa.errors:
            continue
        if progress:
            progress(t)
        file = SourceFile(source, t, language)
        for name in loop_functions(fa):
            before = file.text(name)
            if before is None:
                continue
            rid = record_id(t, name, before)
            yield {"id": rid, "group": rid, "split": "train", "origin": "pool", "path": t, "language": language,
                   "target": targets.default_for(language), "function": name, "sequential": before,
                   "module": file.module(name)}


_TEMPLATES = [
    "def add{n}(a, b, c, n):\n    for i in range({lo}, n):\n        c[i] = a[i] + b[i] * {k}\n",
    "def scale{n}(a, n):\n    for i in range(n):\n        a[i] = a[i] * {k}.0\n",
    "def dot{n}(a, b, n):\n    s = 0.0\n    for i in range({lo}, n):\n        s += a[i] * b[i]\n    return s\n",
    "def shift{n}(a, b, n):\n    for i in range({lo}, n - {k}):\n        b[i] = a[i + {k}] - a[i]\n",
    "def rows{n}(A, out, n, m):\n    for i in range(n):\n        acc = 0.0\n        for j in range(m):\n"
    "            acc += A[i, j] * {k}.0\n        out[i] = acc\n",
    "def big{n}(a, n):\n    m = a[0]\n    for i in range({lo}, n):\n        m = max(m, a[i] + {k})\n    return m\n",
]


def generated_kernels(count: int, seed: int = 0) -> list[str]:
    """Random loop nests from templates whose verdicts the analysis proves."""
    rng = random.Random(seed)
    return [rng.choice(_TEMPLATES).format(n=n, lo=rng.choice([0, 1]), k=rng.randint(1, 5)) for n in range(count)]


def rename(source: str, seed: int = 0) -> str:
    """A semantics-preserving mutation: loop variables and array names renamed throughout."""
    rng = random.Random(seed)
    mapping = {"i": rng.choice(["ii", "k", "row"]), "j": rng.choice(["jj", "col"]),
               "a": rng.choice(["x", "src"]), "b": rng.choice(["y", "w"])}
    return re.sub(r"\b(i|j|a|b)\b", lambda m: mapping[m.group(1)], source)


def new_imports(before: str, after: str, language: str) -> str:
    """The import (or `#include`) lines `after` has and `before` lacks: what a parallel
    version needs besides its function."""
    head = ("#include",) if language == "c" else ("import ", "from ")
    known = set(before.splitlines())
    return "\n".join(ln for ln in after.splitlines() if ln.startswith(head) and ln not in known)


def messages_for(record: dict) -> list[dict]:
    """The chat the translate loop sends for this record's kernel: training on the very
    prompt a model is later asked with."""
    from paralift.translator_model.loop import prompt
    module = record.get("module") or record["sequential"]
    return prompt(module, record["path"], record["language"], record["function"], record["target"])


def answer_text(record: dict) -> str:
    """The reply the loop accepts: one fenced block with the imports and the function."""
    fence = "c" if record["language"] == "c" else "python"
    imports = record.get("imports", "")
    return f"```{fence}\n{imports + chr(10) * 3 if imports else ''}{record['parallel']}\n```"
