"""The translate loop, per function with loops: prompt, extract, syntax check, legality gate,
tester; on failure the gate's reason or the tester's counterexample goes into the next
prompt. Only a verified function is spliced into the result.

The legality gate is `paralift check` on the candidate: a proposal that parallelizes a loop
the analysis proves carries a dependence (or drops a reduction, shares a private...) is
rejected before any test runs.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from paralift import targets
from paralift.analysis import analyze_source
from paralift.check import check_source
from paralift.diagnostics import Severity
from paralift.files import language_of, source_lines
from paralift.ir import nodes as ir
from paralift.ir.walk import walk_stmts
from paralift.translator_model import policy
from paralift.verify import sandbox
from paralift.verify.sessions import Candidate

_FENCE = re.compile(r"```[A-Za-z+]*\n(.*?)```", re.S)


@dataclass(frozen=True)
class Attempt:
    number: int
    ok: bool
    stage: str          # model | syntax | gate | tester | verified
    message: str
    counterexample: str | None = None
    reply: str = field(default="", repr=False)  # what the model said, for the next prompt


@dataclass(frozen=True)
class FunctionResult:
    function: str
    attempts: tuple[Attempt, ...]

    @property
    def passed(self) -> bool:
        return any(a.ok for a in self.attempts)

    def passed_within(self, k: int) -> bool:
        return any(a.ok and a.number <= k for a in self.attempts)


@dataclass(frozen=True)
class TranslateResult:
    path: str
    original: str
    result: str
    functions: tuple[FunctionResult, ...] = ()
    errors: tuple[str, ...] = field(default=())
    prompts: tuple[tuple[str, tuple[dict, ...]], ...] = ()  # (function, the last conversation)

    @property
    def changed(self) -> bool:
        return self.result != self.original


def facts(source: str, path: str, language: str, function: str) -> str:
    """The analysis facts about a function's loops, for the prompt."""
    fa = analyze_source(source, path, language)
    out = []
    for kv in fa.kernels:
        if kv.kernel.name != function:
            continue
        for v in kv.loops:
            line = f"- loop `{v.loop.var}` at line {v.loop.span.line}: {v.verdict}"
            if v.reductions:
                line += "; reductions " + ", ".join(f"{op}:{t}" for op, t in v.reductions)
            if v.private:
                line += "; private " + ", ".join(v.private)
            if v.lastprivate:
                line += "; value used after the loop: " + ", ".join(v.lastprivate)
            if v.induction:
                line += "; induction variables " + ", ".join(n for n, _ in v.induction)
            line += "".join(f"\n  - blocked: {r.message}" for r in v.reasons)
            out.append(line)
    return "\n".join(out)


def extent(source: str, path: str, language: str, function: str) -> tuple[int, int] | None:
    """0-based [first, last] lines of a function, decorators included (Python) or through
    its closing brace (C)."""
    return extents(source, path, language).get(function)


def extents(source: str, path: str, language: str) -> dict[str, tuple[int, int]]:
    """`extent` of every top-level function, from one parse."""
    from paralift.frontend import frontend_for
    module, _ = frontend_for(language)(source, path)
    if module is None:
        return {}
    lines = source_lines(source)
    out: dict[str, tuple[int, int]] = {}
    for k in module.kernels:
        if k.kind != "function" or k.name in out:
            continue
        first = k.span.line - 1
        if language == "python":
            while first > 0 and lines[first - 1].lstrip().startswith("@"):
                first -= 1
            out[k.name] = (first, k.span.end_line - 1)
            continue
        depth, seen = 0, False
        for n in range(first, len(lines)):
            for ch in lines[n]:
                if ch == "{":
                    depth, seen = depth + 1, True
                elif ch == "}":
                    depth -= 1
            if seen and depth == 0:
                out[k.name] = (first, n)
                break
    return out


def splice(source: str, span: tuple[int, int], reply_code: str, language: str) -> str:
    """The file with the function replaced by the reply's code; the reply's imports (or
    `#include`s) that the file lacks go to the top."""
    lines = source_lines(source)
    header_kw = ("#include",) if language == "c" else ("import ", "from ")
    code = reply_code.strip("\n").splitlines()
    imports = [ln for ln in code if ln.startswith(header_kw) and ln not in lines]
    body = [ln for ln in code if not (ln.startswith(header_kw))]
    while body and not body[0].strip():
        body.pop(0)
    first, last = span
    new = lines[:first] + body + lines[last + 1:]
    if imports:
        at = 0
        if language == "python":
            try:
                tree = ast.parse(source)
                heads = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
                at = heads[-1].end_lineno if heads else (tree.body[0].end_lineno if tree.body and isinstance(
                    tree.body[0], ast.Expr) and isinstance(getattr(tree.body[0], "value", None), ast.Constant) else 0)
            except SyntaxError:
                at = 0
        new = new[:at] + imports + new[at:]
    return "\n".join(new) + "\n"


def prompt(source: str, path: str, language: str, function: str, target: str) -> list[dict]:
    span = extent(source, path, language, function)
    text = "\n".join(source_lines(source)[span[0]:span[1] + 1]) if span else source
    fence = "c" if language == "c" else "python"
    return [
        {"role": "system", "content": "You rewrite sequential numeric kernels into parallel code that computes "
                                      "exactly the same results. Answer with one fenced code block and nothing else."},
        {"role": "user", "content": (
            f"Target: {targets.emitter(target, language).prompt}.\n\nRewrite this {fence} function, keeping its name and signature. "
            f"Return only the rewritten function and the imports (or includes) it needs.\n\n```{fence}\n{text}\n```\n\n"
            f"What paralift's dependence analysis proved about its loops:\n{facts(source, path, language, function)}\n\n"
            "Parallelize only loops the analysis calls parallel or reduction; keep the others sequential."),
         "paralift": _request(source, path, function, target)},
    ]


def _request(source: str, path: str, function: str, target: str) -> str:
    import json
    return json.dumps({"source": source, "path": path, "function": function, "target": target})


def gate(candidate: str, path: str, language: str, span_of: Callable[[str], tuple[int, int] | None],
         target: str = "") -> str | None:
    """Why the candidate must not be tested, or None: a syntax error, or a check error in
    the function (a race the analysis proves). The checker reads prange loops and OpenMP
    pragmas; a CUDA C candidate is a `.cu` file, which C's parser cannot read, so nvcc is
    its syntax check (the tester's first step)."""
    if language == "c" and target == "cuda":
        return None
    if language == "python":
        try:
            ast.parse(candidate)
        except SyntaxError as err:
            return f"syntax error at line {err.lineno}: {err.msg}"
    res = check_source(candidate, path, language)
    if res.errors:
        e = res.errors[0]
        return f"syntax error at line {e.span.line}: {e.message}"
    span = span_of(candidate)
    for d in res.diagnostics:
        if d.severity == Severity.ERROR and (span is None or span[0] + 1 <= d.span.line <= span[1] + 1):
            return f"the legality gate rejected it: {d.code} {d.name}: {d.message}"
    return None


def _session(target: str, language: str):
    return targets.load(targets.emitter(target, language).exact)


def loop_functions(fa) -> list[str]:
    """The top-level functions of an analyzed file that have loops: what a model is asked
    to translate."""
    return [kv.kernel.name for kv in fa.kernels
            if any(isinstance(s, ir.Loop) for s in walk_stmts(kv.kernel.body))
            and "." not in kv.kernel.name and not kv.kernel.name.startswith("<")]


def translate_source(source: str, path: str, target: str, translator, attempts: int = 3,
                     functions: set[str] | None = None, progress=None) -> TranslateResult:
    language = language_of(path) or "python"
    fa = analyze_source(source, path, language)
    if fa.errors:
        return TranslateResult(path, source, source, errors=tuple(f"{e.span.where()}: {e.message}" for e in fa.errors))
    names = [n for n in loop_functions(fa) if functions is None or n in functions]
    current, results, conversations = source, [], []
    session = _session(target, language)
    for name in names:
        messages = prompt(current, path, language, name, target)
        history: list[Attempt] = []
        for n in range(1, attempts + 1):
            if progress:
                progress(f"{name}: attempt {n}")
            attempt, candidate = _one(current, source, path, language, name, target, translator, messages, n, session)
            history.append(attempt)
            if attempt.ok:
                current = candidate
                break
            feedback = f"That version was rejected ({attempt.stage}): {policy.for_model(attempt.message)}"
            if attempt.counterexample:
                feedback += f"\nCounterexample: {attempt.counterexample}"
            messages = messages + [{"role": "assistant", "content": attempt.reply},
                                   {"role": "user", "content": feedback + "\nFix it and return the function again.",
                                    "paralift": _request(current, path, name, target)}]
        results.append(FunctionResult(name, tuple(history)))
        conversations.append((name, tuple(messages)))
    return TranslateResult(path, source, current, tuple(results), prompts=tuple(conversations))


def _one(current, original, path, language, name, target, translator, messages, n, session):
    from paralift.translator_model.translators import TranslatorError
    try:
        reply = translator.complete(messages)
    except TranslatorError as err:
        return Attempt(n, False, "model", str(err)), current
    blocks = _FENCE.findall(reply)
    code = blocks[0] if blocks else reply
    span = extent(current, path, language, name)
    if span is None:
        return Attempt(n, False, "model", f"`{name}` is not in the file any more"), current
    trusted = getattr(translator, "returns_file", False)  # paralift's own pipeline
    if trusted:
        candidate = code.strip("\n") + "\n"
    else:
        refused = policy.reply_problem(code, language)
        if refused:
            return Attempt(n, False, "gate", refused, reply=reply), current
        candidate = splice(current, span, code, language)
    why = gate(candidate, path, language, lambda text: _safe_extent(text, path, language, name), target)
    if why is None and language == "python":
        why = _defines(candidate, name)
    if why is not None:
        return Attempt(n, False, "gate" if "legality" in why else "syntax", why, reply=reply), current
    with sandbox.confined() if not trusted else nullcontext(), \
            session(Candidate(original, candidate, path)) as verify_one:
        v = verify_one(name)
    if not v.ok:
        return Attempt(n, False, "tester", policy.for_model(v.message),
                       policy.for_model(v.counterexample, 2000) if v.counterexample else None, reply=reply), current
    return Attempt(n, True, "verified", v.summary()), candidate


def _defines(candidate: str, name: str) -> str | None:
    """Why a (parsable) Python candidate does not define `name` at the top level, or None."""
    tree = ast.parse(candidate)
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if name in defined or any(isinstance(n, (ast.Assign, ast.AnnAssign)) and name in ast.unparse(n).split("=")[0]
                              for n in tree.body):
        return None
    return (f"the reply does not define `{name}`" + (f" (it defines `{defined[-1]}`)" if defined else "")
            + ": keep the function's name and signature")


def _safe_extent(text, path, language, name):
    try:
        return extent(text, path, language, name)
    except Exception:  # noqa: BLE001 - a candidate the frontend cannot parse has no extent
        return None


def summary(results: list[TranslateResult], k: int) -> list[str]:
    rows = [(r.path, f) for r in results for f in r.functions]
    if not rows:
        return ["no function with loops to translate"]
    out = [f"{'function':30s} {'attempts':>8s}  result"]
    for path, f in rows:
        last = f.attempts[-1]
        state = "verified" if f.passed else f"not verified ({last.stage}: {last.message[:60]})"
        out.append(f"{f.function:30s} {len(f.attempts):8d}  {state}")
    p1 = sum(f.passed_within(1) for _, f in rows) / len(rows)
    pk = sum(f.passed_within(k) for _, f in rows) / len(rows)
    out.append(f"pass@1 {p1:.2f}   pass@{k} {pk:.2f}   ({len(rows)} function{'s' if len(rows) != 1 else ''})")
    return out
