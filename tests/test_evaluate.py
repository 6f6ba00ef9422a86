"""pass@k on a held-out split, accepted candidates as new records, and co-evolution rounds."""
from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paralift.cli import main
from paralift.translator_model.dataset import build_records, module_for, unlabeled
from paralift.translator_model.evaluate import accepted, evaluate, kernels, pass_at_k, select, split_of
from paralift.translator_model.evolve import evolve
from paralift.translator_model.translators import EndpointTranslator
from test_translate import OFF_BY_ONE, RIGHT, SOURCE, Script

EXAMPLES = Path(__file__).parent.parent / "examples"
RECORD = {"id": "r1", "group": "g1", "path": "k.py", "language": "python", "target": "numba", "function": "scale",
          "sequential": SOURCE.strip("\n"), "parallel": "unused", "module": SOURCE, "verified": True}


@given(st.integers(1, 8).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))))
def test_pass_at_k_is_the_chance_that_a_k_subset_holds_a_pass(case):
    n, c, k = case
    outcomes = [True] * c + [False] * (n - c)
    subsets = list(combinations(range(n), k))
    brute = sum(any(outcomes[i] for i in s) for s in subsets) / len(subsets)
    assert pass_at_k(n, c, k) == pytest.approx(brute)


def test_pass_at_k_refuses_impossible_counts():
    with pytest.raises(ValueError, match="at least 3 samples"):
        pass_at_k(2, 1, 3)
    with pytest.raises(ValueError):
        pass_at_k(2, 3, 1)


def test_the_split_keeps_a_kernel_and_its_mutations_together_and_is_stable():
    records = list(build_records([], generated=40, seed=5))
    sides = {}
    for r in records:
        sides.setdefault(r["group"], set()).add(split_of(r))
    assert all(len(s) == 1 for s in sides.values())  # a renamed copy never crosses the split
    held = [g for g, s in sides.items() if s == {"holdout"}]
    assert 0 < len(held) < len(sides) * 0.5
    assert [split_of(r) for r in records] == [split_of(dict(r)) for r in records]
    assert split_of({**records[0], "split": "train"}) == "train"  # an explicit side wins
    assert select(records, "all") == records


def test_a_record_module_keeps_what_the_function_needs_and_drops_the_rest():
    py = ("import numpy as np\nK = 3\n\ndef helper(x):\n    return x * K\n\ndef other(a, n):\n"
          "    for i in range(n):\n        a[i] = 0.0\n\ndef f(a, n):\n    for i in range(n):\n"
          "        a[i] = helper(a[i])\n")
    m = module_for(py, "m.py", "python", "f")
    assert "import numpy as np" in m and "K = 3" in m and "def helper" in m and "def f" in m
    assert "def other" not in m
    c = ("#include <math.h>\n#define N 4\nstatic double sq(double x) { return x * x; }\n"
         "void g(int n, double *a) {\n    for (int i = 0; i < n; i++)\n        a[i] = 1.0;\n}\n"
         "void f(int n, double *a) {\n    for (int i = 0; i < n; i++)\n        a[i] = sq(a[i]);\n}\n")
    m = module_for(c, "m.c", "c", "f")
    assert "#include <math.h>" in m and "#define N 4" in m and "sq(double x)" in m and "void g" not in m


def test_evaluate_scores_samples_and_keeps_the_verified_ones_as_records():
    # two samples of one kernel, no feedback between them: a wrong one, then a right one
    with Script([OFF_BY_ONE, RIGHT]) as server:
        ev = evaluate([RECORD], EndpointTranslator("scripted", server.url), samples=2)
    (k,) = ev.kernels
    assert [s.stage for s in k.samples] == ["tester", "verified"]
    assert ev.pass_at(1) == pytest.approx(0.5) and ev.pass_at(2) == 1.0
    assert ev.lines([1, 2])[-1].startswith("pass@1 0.50   pass@2 1.00   (1 holdout kernels, 2 samples")
    (new,) = accepted(ev, [RECORD])
    assert new["group"] == "g1" and new["origin"] == "model:scripted" and new["verified"]
    assert "numba.prange(n)" in new["parallel"] and new["tests"].startswith("verified:")
    assert accepted(ev, [RECORD, new]) == []  # a known pair is not added twice


def test_evolve_adds_accepted_candidates_and_never_trains_on_held_out_kernels(tmp_path):
    records = [dict(RECORD, id=f"r{n}", group=f"g{n}", function="scale") for n in range(12)]
    held = {r["id"] for r in records if split_of(r) == "holdout"}
    assert held and len(held) < len(records)
    trained = []

    def fake_train(data, out):
        trained.append([r["id"] for r in data])
        return SimpleNamespace(out=out, losses=(2.0, 1.0))
    pool = [{**RECORD, "id": "p", "group": "p", "split": "train", "origin": "pool",
             "sequential": SOURCE.strip("\n").replace("2.0", "3.0"), "module": SOURCE.replace("2.0", "3.0")}]
    del pool[0]["parallel"]
    answer = RIGHT.replace("2.0", "3.0")
    # one distinct kernel in the train split, one in the pool, then the held-out kernel
    with Script([RIGHT, answer, RIGHT] * 2) as server:
        rounds = evolve(records, 2, str(tmp_path), fake_train, lambda ckpt: EndpointTranslator("m", server.url),
                        pool=pool)
    assert all(not held & set(ids) for ids in trained)
    first, second = rounds
    assert first.added == 2 and second.added == 0  # the second round's answers are already known
    assert len(trained[1]) == len(trained[0]) + 2  # round 2 trains on round 1's verified answers
    data = [json.loads(line) for line in Path(first.data).read_text().splitlines()]
    assert sum(r.get("origin") == "model:m" for r in data) == 2
    assert first.holdout.pass_at(1) == 1.0 and len(first.holdout.kernels) == len(kernels(select(records, "holdout")))


def test_evaluate_cli_scores_the_pipeline_on_its_own_records(tmp_path, capsys):
    data = tmp_path / "d.jsonl"
    assert main(["dataset", "build", str(EXAMPLES / "kernels.c"), "-o", str(data)]) == 0
    assert main(["evaluate", "--data", str(data), "--model", "paralift", "--split", "all", "--limit", "2",
                 "--target", "mpi", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kernels"] == 2 and out["pass@1"] == 1.0 and out["stages"] == {"verified": 2}
    assert {r["target"] for r in out["results"]} == {"mpi"}


def test_evaluate_cli_refuses_bad_data_and_impossible_k(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n')
    assert main(["evaluate", "--data", str(bad), "--model", "paralift"]) == 2
    assert f"{bad}:2:1: not a JSON record" in capsys.readouterr().err
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(RECORD) + "\n")
    assert main(["evaluate", "--data", str(good), "--model", "paralift", "--split", "all", "-k", "3"]) == 2
    assert "pass@3 needs --samples 3" in capsys.readouterr().err
    assert main(["evaluate", "--data", str(good), "--model", "nope", "--split", "all"]) == 2
    assert "give --base-url or set OPENAI_BASE_URL" in capsys.readouterr().err


def test_translate_appends_verified_translations_as_records(tmp_path, monkeypatch):
    src = tmp_path / "k.py"
    src.write_text(SOURCE)
    out = tmp_path / "accepted.jsonl"
    with Script([OFF_BY_ONE, RIGHT]) as server:
        code = main(["translate", str(src), "--target", "numba", "--model", "scripted", "--base-url", server.url,
                     "--accepted", str(out), "-o", str(tmp_path / "out.py")])
    assert code == 1  # changed
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["function"] == "scale" and "prange(n)" in record["parallel"] and record["module"] == SOURCE


def test_the_pool_is_unlabeled_kernels_on_the_train_side():
    pool = list(unlabeled([str(EXAMPLES / "stencils.py")]))
    assert pool and all(r["split"] == "train" and "parallel" not in r for r in pool)
