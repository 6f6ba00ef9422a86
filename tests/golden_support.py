"""What the backend golden tests share: case discovery, output paths, the update switch."""
from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("PARALIFT_UPDATE_GOLDEN") == "1"


def inputs(directory: Path, suffix: str) -> list[Path]:
    """The golden inputs of a directory (not their `.out` expectations)."""
    return sorted(p for p in directory.glob(f"*{suffix}") if not p.name.endswith(f".out{suffix}"))


def expected(case: Path) -> Path:
    return case.with_name(f"{case.stem}.out{case.suffix}")


def check(case: Path, result: str) -> None:
    """`result` must equal the checked-in expectation (rewritten first when updating)."""
    if UPDATE:
        expected(case).write_text(result)
    assert result == expected(case).read_text()
