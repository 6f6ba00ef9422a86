"""C as projects write it (issue 15, first steps): a header beside the file, compact lines."""
from __future__ import annotations

from pathlib import Path

import pytest

from paralift.rewriting import rewrite_source

KERNEL = '#include "params.h"\n\nvoid scale(int n, double *a) {\n    for (int i = 0; i < n; i++)\n        a[i] = a[i] * SCALE;\n}\n'


@pytest.mark.parametrize("target", ["openmp", "mpi"])
def test_a_header_beside_the_file_is_found_by_the_tester(tmp_path: Path, target):
    (tmp_path / "params.h").write_text("#define SCALE 2.0\n")
    path = tmp_path / "k.c"
    path.write_text(KERNEL)
    res = rewrite_source(KERNEL, str(path), target=target, check=True)
    assert not res.refused, [v.summary() for v in res.refused]  # was: params.h: No such file
    assert [v.function for v in res.verdicts] == ["scale"]
