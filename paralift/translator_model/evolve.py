"""Co-evolution, after QiMeng-MuPa: train the translator on verified records, let it
translate kernels, keep what the tester accepts as new records, train again.

Each round:
  1. train on the train split of the data (never the held-out kernels);
  2. the new model translates the pool: the train split's kernels (a second verified
     version of a kernel is new data) and any unlabeled kernels given (`--pool`), which
     is where a model can teach the data something the compiler pipeline could not;
  3. verified translations are added to the data, each on its kernel's side of the split;
  4. the held-out kernels measure the round (pass@k).

Training and the translator are passed in, so the rounds can be tested without weights.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from paralift.translator_model.evaluate import HOLDOUT, Evaluation, accepted, evaluate, kernels, select


@dataclass(frozen=True)
class Round:
    number: int
    examples: int
    losses: tuple[float, ...]
    pool: Evaluation
    added: int
    holdout: Evaluation
    data: str       # the JSONL after this round

    def line(self, ks: Iterable[int] = (1,)) -> str:
        scores = "  ".join(f"held-out pass@{k} {self.holdout.pass_at(k):.2f}" for k in ks
                           if all(len(r.samples) >= k for r in self.holdout.kernels))
        loss = f"loss {self.losses[0]:.3f} -> {self.losses[-1]:.3f}" if self.losses else "no training"
        return (f"round {self.number}: {self.examples} examples, {loss}; pool {self.pool.pass_at(1):.2f} pass@1, "
                f"{self.added} new verified record(s); {scores}")


def evolve(records: Iterable[dict], rounds: int, out: str, train: Callable[[list[dict], str], object],
           translator_for: Callable[[str], object], pool: Iterable[dict] = (), samples: int = 1, attempts: int = 1,
           holdout: float = HOLDOUT, progress: Callable[[str], None] | None = None) -> list[Round]:
    """`train(records, directory)` returns something with `out` (the checkpoint) and
    `losses`; `translator_for(checkpoint)` returns a translator."""
    data, extra, done = list(records), list(pool), []
    held_out = kernels(select(data, "holdout", holdout))  # fixed before any round adds records
    # a pool kernel that is also held out is never asked: its answer would be trained on
    held_texts = {h["sequential"] for h in held_out}
    extra = [r for r in extra if r["sequential"] not in held_texts]
    for n in range(1, rounds + 1):
        directory = str(Path(out) / f"round-{n}")
        training = select(data, "train", holdout)
        if progress:
            progress(f"round {n}: training on {len(training)} records")
        trained = train(training, directory)
        translator = translator_for(trained.out)
        asked = kernels(training + extra)  # a kernel in both is asked once
        pool_eval = evaluate(asked, translator, samples, attempts, split="train", progress=progress)
        new = accepted(pool_eval, data)
        data += new
        held = evaluate(held_out, translator, samples, attempts, progress=progress)
        path = Path(directory) / "data.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
        done.append(Round(n, len(training), tuple(getattr(trained, "losses", ())), pool_eval, len(new), held,
                          str(path)))
        if progress:
            progress(f"round {n} done: {len(new)} new verified record(s), data in {path}")
    return done
