"""Golden tests: frontend IR text and analysis reports against checked-in expectations.

Regenerate after an intended change with `PARALIFT_UPDATE_GOLDEN=1 pytest tests/test_golden.py`
and review the diff.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from paralift.analysis import analyze_source
from paralift.frontend.c import parse as parse_c
from paralift.frontend.python import parse
from paralift.ir import printer
from paralift.report import file_json

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PARALIFT_UPDATE_GOLDEN") == "1"


def _check(actual: str, expected_path: Path) -> None:
    if UPDATE:
        expected_path.write_text(actual)
    assert expected_path.exists(), f"no golden file {expected_path}; run with PARALIFT_UPDATE_GOLDEN=1"
    assert actual == expected_path.read_text()


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (GOLDEN / kind).iterdir() if p.suffix in (".py", ".c"))


@pytest.mark.parametrize("case", _cases("frontend"), ids=lambda p: p.name)
def test_frontend(case: Path):
    if case.suffix == ".c":
        module, errors = parse_c(case.read_text(), case.name)
        text = printer.module(module) + "".join(f"error {e.span.line}:{e.span.col} {e.message}\n"
                                                for e in errors)
    else:
        text = printer.module(parse(case.read_text(), case.name))
    _check(text, case.with_suffix(".ir"))


@pytest.mark.parametrize("case", _cases("analysis"), ids=lambda p: p.name)
def test_analysis(case: Path):
    language = "c" if case.suffix == ".c" else "python"
    report = file_json(analyze_source(case.read_text(), case.name, language))
    _check(json.dumps(report, indent=1) + "\n", case.with_suffix(".json"))
