"""pass@k of a translator on a held-out split, judged by the tester; and the records the
tester accepted, for the next round of training (co-evolution).

The split is a pure function of each record's `group` (the kernel it derives from), so
`paralift train` and `paralift evaluate` agree on it without a stored list, and a kernel
and its mutations always fall on the same side.

pass@k is the unbiased estimator of Chen et al. (2021): with n samples of which c pass,
1 - C(n-c, k) / C(n, k), averaged over kernels. A sample is one run of the translate loop
(its attempts with feedback included, `--attempts`); independent samples need a sampling
translator (a temperature above zero), or every sample repeats the first.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import comb

from paralift.translate.dataset import _function_text, new_imports, record_id

HOLDOUT = 0.2


def split_of(record: dict, holdout: float = HOLDOUT) -> str:
    """`holdout` or `train`, from a hash of the record's group, unless the record says
    (co-evolution's pool kernels are training material by construction)."""
    if record.get("split") in ("train", "holdout"):
        return record["split"]
    key = str(record.get("group") or record["id"])
    x = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "holdout" if x < holdout else "train"


def select(records: Iterable[dict], split: str, holdout: float = HOLDOUT) -> list[dict]:
    return [r for r in records if split == "all" or split_of(r, holdout) == split]


def pass_at_k(n: int, c: int, k: int) -> float:
    """The chance that at least one of k samples drawn without replacement from n, of which
    c pass, passes."""
    if not 0 <= c <= n or k < 1:
        raise ValueError(f"pass@k needs 0 <= c <= n and k >= 1, got n={n} c={c} k={k}")
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per kernel, got {n}")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def kernels(records: Iterable[dict]) -> list[dict]:
    """One record per distinct (kernel, target): the kernels to ask for, not the answers."""
    seen, out = set(), []
    for r in records:
        key = (r["sequential"], r["target"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


@dataclass(frozen=True)
class Sample:
    ok: bool
    stage: str        # where the last attempt ended: verified | tester | gate | syntax | model
    attempts: int
    seconds: float    # the whole loop for this sample: model, gate and tester
    parallel: str | None = None  # the verified function, when ok
    tests: str = ""
    imports: str = ""            # what the verified function needs imported


@dataclass(frozen=True)
class KernelResult:
    record: dict
    target: str
    samples: tuple[Sample, ...]

    @property
    def passed(self) -> int:
        return sum(s.ok for s in self.samples)


@dataclass(frozen=True)
class Evaluation:
    model: str
    split: str
    kernels: tuple[KernelResult, ...]

    def pass_at(self, k: int) -> float:
        if not self.kernels:
            return 0.0
        return sum(pass_at_k(len(r.samples), r.passed, k) for r in self.kernels) / len(self.kernels)

    def stages(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.kernels:
            for s in r.samples:
                out[s.stage] = out.get(s.stage, 0) + 1
        return out

    def lines(self, ks: Iterable[int]) -> list[str]:
        ks = [k for k in ks if self.kernels and k <= min(len(r.samples) for r in self.kernels)]
        n = sum(len(r.samples) for r in self.kernels)
        seconds = sum(s.seconds for r in self.kernels for s in r.samples)
        out = [f"{'kernel':32s} {'target':7s} passed"]
        for r in self.kernels:
            out.append(f"{r.record['function'][:32]:32s} {r.target:7s} {r.passed}/{len(r.samples)}"
                       + ("" if r.passed else f"  ({r.samples[-1].stage})"))
        scores = "   ".join(f"pass@{k} {self.pass_at(k):.2f}" for k in ks)
        stages = ", ".join(f"{v} {k}" for k, v in sorted(self.stages().items()))
        out.append(f"{scores}   ({len(self.kernels)} {self.split} kernels, {n} samples: {stages}; "
                   f"{seconds / max(n, 1):.1f} s per sample)")
        return out


def evaluate(records: Iterable[dict], translator, samples: int = 1, attempts: int = 1,
             target: str | None = None, split: str = "holdout", progress: Callable[[str], None] | None = None
             ) -> Evaluation:
    """Each record's module goes through the translate loop `samples` times, for the
    record's own target or `target`."""
    from paralift.translate.loop import translate_source
    results, records = [], list(records)
    for number, record in enumerate(records, 1):
        goal = target or record["target"]
        module = record.get("module") or record["sequential"]
        runs = []
        for s in range(samples):
            if progress:
                progress(f"[{number}/{len(records)}] {record['function']} ({goal}): sample {s + 1}/{samples}")
            start = time.perf_counter()
            res = translate_source(module, record["path"], goal, translator, attempts, {record["function"]})
            took = time.perf_counter() - start
            if res.errors or not res.functions:
                runs.append(Sample(False, "model", 0, took, tests="; ".join(res.errors) or "no function"))
                continue
            (f,) = res.functions
            last = f.attempts[-1]
            parallel = _parallel_text(res.result, record, goal) if f.passed else None
            imports = new_imports(module, res.result, record["language"]) if f.passed and goal in (
                "numba", "openmp") else ""
            runs.append(Sample(f.passed, last.stage, len(f.attempts), took, parallel,
                               last.message if f.passed else "", imports))
        results.append(KernelResult(record, goal, tuple(runs)))
    return Evaluation(getattr(translator, "name", "model"), split, tuple(results))


def _parallel_text(result: str, record: dict, target: str) -> str | None:
    """The verified function, or for CUDA and MPI, whose host function needs the kernels
    and helpers beside it, the whole verified module."""
    if target in ("numba", "openmp"):
        return _function_text(result, record["path"], record["language"], record["function"])
    return result


def accepted(evaluation: Evaluation, known: Iterable[dict] = ()) -> list[dict]:
    """The verified samples as new records (co-evolution): one per distinct (kernel,
    parallel version) not already among `known`. Each keeps its kernel's group, so it
    stays on its kernel's side of the split."""
    seen = {(r["sequential"], r["target"], r["parallel"]) for r in known}
    out = []
    for k in evaluation.kernels:
        for s in k.samples:
            key = (k.record["sequential"], k.target, s.parallel)
            if not s.ok or s.parallel is None or key in seen:
                continue
            seen.add(key)
            r = k.record
            out.append({**{f: r[f] for f in ("path", "language", "function", "sequential") if f in r},
                        "id": record_id(r["path"], r["function"], k.target, s.parallel),
                        "group": r.get("group") or r["id"], "origin": f"model:{evaluation.model}",
                        "target": k.target, "parallel": s.parallel, "imports": s.imports,
                        "module": r.get("module", r["sequential"]),
                        "tests": s.tests, "verified": True, **({"split": r["split"]} if "split" in r else {})})
    return out
