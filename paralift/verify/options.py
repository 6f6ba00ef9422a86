"""How the tester runs: the user's say in it (`--timeout`, `--assume-int64`)."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class TesterOptions:
    __test__ = False  # not a pytest test class, despite its name
    timeout: float = DEFAULT_TIMEOUT  # seconds per call of the original or the candidate
    # C integer semantics accepted: an input on which the original leaves int64 is skipped,
    # not a refusal (Python's integers never overflow; Numba's and C's wrap around)
    assume_int64: bool = False
    inputs: str | None = None  # `--inputs FILE.py:FUNCTION`: argument tuples to test first
