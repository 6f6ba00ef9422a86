"""Training data and LoRA training on a tiny model built in-process (no download)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from paralift.cli import main
from paralift.translator_model.dataset import ForbiddenCorpus, build_records, generated_kernels, rename

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_dataset_build_on_the_examples_writes_verified_records(tmp_path):
    out = tmp_path / "data.jsonl"
    assert main(["dataset", "build", str(EXAMPLES), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) >= 8
    assert all(r["verified"] and r["tests"].startswith("verified:") for r in records)
    assert {r["target"] for r in records} == {"numba", "openmp"}
    dot = next(r for r in records if r["function"] == "dot" and r["language"] == "python")
    assert "range(n)" in dot["sequential"] and "prange(n)" in dot["parallel"]


def test_generated_and_mutated_kernels_are_verified_too():
    records = list(build_records([], generated=6, seed=3))
    origins = {r["origin"] for r in records}
    assert origins == {"generated", "mutated"} and all(r["verified"] for r in records)
    assert rename("for i in range(n):\n    a[i] = b[i]", 0) != "for i in range(n):\n    a[i] = b[i]"
    assert len(generated_kernels(5, 1)) == 5


def test_the_acceptance_corpus_is_refused(tmp_path):
    corpus = tmp_path / "acceptance"
    corpus.mkdir()
    (corpus / "score.py").write_text("")
    (corpus / "k.py").write_text("def f(a, n):\n    for i in range(n):\n        a[i] = 1.0\n")
    with pytest.raises(ForbiddenCorpus):
        list(build_records([str(corpus)]))


def test_train_runs_a_few_steps_and_the_loss_falls_on_a_fixed_batch(tmp_path):
    pytest.importorskip("peft")
    from paralift.translator_model.train import train
    records = list(build_records([str(EXAMPLES / "kernels.py")]))
    res = train(records, str(tmp_path / "tiny"), steps=40, batch=4, lr=5e-3, max_len=256, fixed_batch=True)
    first, last = res.losses[0], res.losses[-1]
    assert last < first - 1.0 and max(res.losses[-5:]) < min(res.losses[:3]), res.losses
    assert (tmp_path / "tiny" / "config.json").exists()  # the tiny model is trained and saved whole


def test_a_checkpoint_gets_lora_adapters_that_load_as_a_translator(tmp_path):
    pytest.importorskip("peft")
    from paralift.translator_model.train import tiny_model, train
    from paralift.translator_model.translators import TransformersTranslator
    records = list(build_records([str(EXAMPLES / "kernels.py")]))
    base, tokenizer = tiny_model(["def f(a, n):\n    for i in range(n):\n        a[i] = 1.0\n"] * 4, vocab_size=300)
    base.save_pretrained(tmp_path / "base")
    tokenizer.save_pretrained(tmp_path / "base")
    res = train(records, str(tmp_path / "adapter"), str(tmp_path / "base"), steps=60, batch=4, lr=5e-3,
                max_len=256, fixed_batch=True)
    # LoRA over a randomly initialized base learns slowly, but on one fixed batch the loss
    # must fall and stay down
    assert res.losses[-1] < res.losses[0] - 0.3 and max(res.losses[-5:]) < min(res.losses[:3]), res.losses
    assert (tmp_path / "adapter" / "adapter_config.json").exists()
    assert not (tmp_path / "adapter" / "model.safetensors").exists()  # adapters only, naming their base
    assert json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())["base_model_name_or_path"] == \
        str((tmp_path / "base").resolve())
    assert TransformersTranslator(str(tmp_path / "adapter"), max_new_tokens=4).complete(
        [{"role": "user", "content": "x"}]) is not None


def test_a_local_checkpoint_translates_through_the_loop(tmp_path):
    """A tiny model saved as a checkpoint, loaded by path: its (untrained, so wrong) answers
    go through the loop, which refuses them and writes nothing."""
    pytest.importorskip("transformers")
    from paralift.translator_model.loop import translate_source
    from paralift.translator_model.train import tiny_model
    from paralift.translator_model.translators import TransformersTranslator
    model, tokenizer = tiny_model(["def f(a, n):\n    for i in range(n):\n        a[i] = 1.0\n"] * 4, vocab_size=300)
    model.save_pretrained(tmp_path / "ckpt")
    tokenizer.save_pretrained(tmp_path / "ckpt")
    translator = TransformersTranslator(str(tmp_path / "ckpt"), max_new_tokens=16)
    source = "def f(a, n):\n    for i in range(n):\n        a[i] = 2.0 * a[i]\n"
    res = translate_source(source, "f.py", "numba", translator, attempts=2)
    (f,) = res.functions
    assert len(f.attempts) == 2 and not f.passed and res.result == source


def test_a_tiny_model_trained_on_a_record_translates_its_kernel_and_the_tester_keeps_it(tmp_path):
    """dataset build -> train -> translate, end to end: trained on the loop's own prompt for
    one kernel, the tiny model answers that prompt with the verified version, imports
    included, and the loop verifies and splices it."""
    pytest.importorskip("peft")
    from paralift.translator_model.loop import translate_source
    from paralift.translator_model.train import train
    from paralift.translator_model.translators import TransformersTranslator
    (record,) = [r for r in build_records([str(EXAMPLES / "kernels.py")]) if r["function"] == "dot"]
    assert record["imports"] == "import numba"
    train([record], str(tmp_path / "tiny"), steps=60, batch=1, lr=5e-3, fixed_batch=True)
    model = TransformersTranslator(str(tmp_path / "tiny"), max_new_tokens=120)
    res = translate_source(record["module"], record["path"], "numba", model, attempts=1, functions={"dot"})
    (f,) = res.functions
    assert f.passed_within(1), f.attempts
    assert "numba.prange(n)" in res.result and "import numba" in res.result
