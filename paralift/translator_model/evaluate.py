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

from paralift import targets
from paralift.translator_model.dataset import SourceFile, new_imports, record_id

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
    answer: dict | None = None  # when ok: the verified translation as a record (`answer_record`)


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
    from paralift.translator_model.loop import translate_source
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
                runs.append(Sample(False, "model", 0, took))
                continue
            (f,) = res.functions
            last = f.attempts[-1]
            answer = answer_record(record, goal, res.result, last.message, translator.name) if f.passed else None
            runs.append(Sample(f.passed, last.stage, len(f.attempts), took, answer))
        results.append(KernelResult(record, goal, tuple(runs)))
    return Evaluation(translator.name, split, tuple(results))


def answer_record(kernel: dict, target: str, result: str, tests: str, model: str) -> dict:
    """A verified translation as a training record: `kernel`'s module became `result`.
    It keeps its kernel's group (and explicit split), so it stays on its kernel's side
    of the split. For Numba and OpenMP the answer is the function and the imports it
    needs; a CUDA or MPI host function needs its kernels and helpers, so there it is the
    whole verified module."""
    module = kernel.get("module") or kernel["sequential"]
    if targets.emitter(target, kernel["language"]).answer == "function":
        parallel = SourceFile(result, kernel["path"], kernel["language"]).text(kernel["function"])
        imports = new_imports(module, result, kernel["language"])
    else:
        parallel, imports = result, ""
    return {**{f: kernel[f] for f in ("path", "language", "function", "sequential", "split") if f in kernel},
            "id": record_id(kernel["path"], kernel["function"], target, parallel),
            "group": kernel.get("group") or kernel["id"], "origin": f"model:{model}", "target": target,
            "parallel": parallel, "imports": imports, "module": module, "tests": tests, "verified": True}


def fresh(answers: Iterable[dict], known: Iterable[dict] = ()) -> list[dict]:
    """The answers that are new: one per distinct (kernel, target, parallel version) not
    already among `known`."""
    seen = {(r["sequential"], r["target"], r["parallel"]) for r in known}
    out = []
    for a in answers:
        key = (a["sequential"], a["target"], a["parallel"])
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def accepted(evaluation: Evaluation, known: Iterable[dict] = ()) -> list[dict]:
    """The verified samples as new records (co-evolution)."""
    return fresh((s.answer for k in evaluation.kernels for s in k.samples if s.answer), known)
