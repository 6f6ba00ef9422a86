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


@pytest.mark.parametrize("case", sorted((GOLDEN / "frontend").glob("*.py")), ids=lambda p: p.stem)
def test_frontend(case: Path):
    module = parse(case.read_text(), case.name)
    _check(printer.module(module), case.with_suffix(".ir"))


@pytest.mark.parametrize("case", sorted((GOLDEN / "analysis").glob("*.py")), ids=lambda p: p.stem)
def test_analysis(case: Path):
    report = file_json(analyze_source(case.read_text(), case.name))
    _check(json.dumps(report, indent=1) + "\n", case.with_suffix(".json"))
