"""What the backend golden tests share: case discovery, output paths, the update switch."""
from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("PARALIFT_UPDATE_GOLDEN") == "1"


def inputs(directory: Path, suffix: str) -> list[Path]:
    """The golden inputs of a directory (not their `.out` expectations)."""
    return sorted(p for p in directory.glob(f"*{suffix}") if not p.name.endswith(f".out{suffix}"))


def expected(case: Path, suffix: str | None = None) -> Path:
    return case.with_name(f"{case.stem}.out{suffix or case.suffix}")


def check(case: Path, result: str, suffix: str | None = None) -> None:
    """`result` must equal the checked-in expectation (rewritten first when updating);
    `suffix` names the expectation's type when the output is another language (`.cu`)."""
    if UPDATE:
        expected(case, suffix).write_text(result)
    assert result == expected(case, suffix).read_text()
