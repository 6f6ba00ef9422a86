"""Source spans and diagnostics: data that passes return and entry points render.

Every diagnostic has a stable code (``PL0xx`` input problems, ``PL1xx`` problems `paralift check`
finds in loops that are already parallel, ``PL2xx`` reasons a loop
stays sequential) so that tools, tests and users can refer to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, order=True)
class Span:
    """A source range. Lines are 1-based, columns 0-based (as libcst and tree-sitter)."""

    line: int
    col: int
    end_line: int
    end_col: int
    file: str = ""
    # False where the text in this range is not all of the code it stands for: part of
    # what a macro expanded to (the range is then the whole macro use)
    spelled: bool = True

    @staticmethod
    def unknown(file: str = "") -> Span:
        return Span(0, 0, 0, 0, file)

    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    summary: str
    bad: str = ""    # an example that gets the diagnostic
    good: str = ""   # the same example, fixed
    severity: Severity = Severity.NOTE  # as `paralift check` reports it (reasons are notes)
    kind: str = "reason"  # input: a file paralift cannot take; check: `paralift check` finds it in a
                          # parallel loop; reason: why the analysis keeps a loop sequential


CODES: dict[str, Code] = {c.code: c for c in (
    Code("PL001", "syntax-error", "the file could not be parsed", severity=Severity.ERROR, kind="input"),
    Code("PL002", "decode-error", "the file is not valid UTF-8", severity=Severity.ERROR, kind="input"),
    Code("PL003", "unreadable-file", "the file could not be read", severity=Severity.ERROR, kind="input"),
    Code("PL004", "file-too-large", "the file is larger than the size limit",
         severity=Severity.ERROR, kind="input"),
    Code("PL005", "unsupported-language", "no frontend for this kind of file",
         severity=Severity.ERROR, kind="input"),
    Code("PL006", "preprocessor", "C: the preprocessor could not see all of the file (a header not "
         "found, a directive it rejects); the rest is analyzed", severity=Severity.WARNING, kind="input"),
    Code("PL101", "racy-loop", "a parallel loop carries a dependence between iterations",
         "#pragma omp parallel for\nfor (int i = 1; i < n; i++) a[i] += a[i - 1];",
         "for (int i = 1; i < n; i++) a[i] += a[i - 1];  /* a prefix sum stays sequential */",
         severity=Severity.ERROR, kind="check"),
    Code("PL102", "missing-reduction", "a reduction has no reduction clause, the wrong operator, or a "
         "spelling Numba's prange does not reduce",
         "#pragma omp parallel for\nfor (int i = 0; i < n; i++) s += a[i];",
         "#pragma omp parallel for reduction(+:s)\nfor (int i = 0; i < n; i++) s += a[i];",
         severity=Severity.ERROR, kind="check"),
    Code("PL103", "shared-private", "a variable each iteration sets before using it is shared between threads",
         "double t;\n#pragma omp parallel for\nfor (int i = 0; i < n; i++) { t = a[i] * a[i]; b[i] = t; }",
         "#pragma omp parallel for\nfor (int i = 0; i < n; i++) { double t = a[i] * a[i]; b[i] = t; }",
         severity=Severity.ERROR, kind="check"),
    Code("PL104", "missing-lastprivate", "a value the parallel loop leaves behind is used after it but not kept",
         "#pragma omp parallel for\nfor (int i = 0; i < n; i++) t = a[i];\nreturn t;",
         "#pragma omp parallel for lastprivate(t)\nfor (int i = 0; i < n; i++) t = a[i];\nreturn t;",
         severity=Severity.ERROR, kind="check"),
    Code("PL105", "racy-induction", "a counter stepped in every iteration of a parallel loop",
         "#pragma omp parallel for\nfor (int i = 0; i < n; i++) { b[k] = a[i]; k++; }",
         "#pragma omp parallel for linear(k:1)\nfor (int i = 0; i < n; i++) { b[k] = a[i]; k++; }",
         severity=Severity.ERROR, kind="check"),
    Code("PL106", "unverified-parallel", "the analysis cannot prove a parallel loop safe (not a proven race)",
         "#pragma omp parallel for\nfor (int i = 0; i < n; i++) a[idx[i]] = b[i];  /* safe if idx never repeats */",
         "#pragma omp parallel for  // paralift: ignore[PL106] -- idx is a permutation\n"
         "for (int i = 0; i < n; i++) a[idx[i]] = b[i];",
         severity=Severity.WARNING, kind="check"),
    Code("PL110", "could-be-parallel", "a sequential loop that could run in parallel",
         "for i in range(n):\n    y[i] = 2.0 * x[i]",
         "for i in prange(n):\n    y[i] = 2.0 * x[i]", kind="check"),
    Code("PL201", "carried-dependence", "an array element is written in one iteration and used in another"),
    Code("PL202", "carried-scalar", "a scalar carries a value from one iteration to the next"),
    Code("PL203", "early-exit", "break or return makes the iteration order observable"),
    Code("PL204", "side-effect", "a call whose effects are unknown or order-dependent"),
    Code("PL205", "unmodelled", "a construct the analysis does not model"),
    Code("PL206", "conditional-last-value", "a variable's last value is used after the loop but not set in every iteration"),
    Code("PL207", "may-alias", "an array name may refer to the same memory as another"),
    Code("PL208", "static-local", "a `static` local is one variable for every iteration (and call)"),
)}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    severity: Severity = Severity.NOTE
    related: tuple[Span, ...] = field(default=())
    witness: object = None  # passes.witness.Witness: values at which it surely happens

    @property
    def proven(self) -> bool:
        """A dependence shown to happen, not only possible."""
        return self.witness is not None

    @property
    def name(self) -> str:
        return CODES[self.code].name


def checker_codes() -> list[Code]:
    """The codes `paralift check` reports about parallel loops (PL1xx), errors first."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    return sorted((c for c in CODES.values() if c.kind == "check"), key=lambda c: (order[c.severity], c.code))
