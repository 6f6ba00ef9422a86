"""The model-facing commands: `paralift translate | dataset build | train | evaluate | evolve`."""
from __future__ import annotations

import argparse
import json
import os
import sys

from paralift import targets

EXIT_OK, EXIT_CHANGED, EXIT_INPUT_ERROR = 0, 1, 2
COMMANDS = ("translate", "dataset", "train", "evaluate", "evolve")

_MODELS = """\
models:
  paralift          paralift's own compiler pipeline, through the same loop
  DIRECTORY         a local transformers checkpoint (or a `paralift train` adapter)
  hf:ORG/NAME       a transformers model from the Hugging Face hub (or its local cache)
  NAME              a model served by an OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama)
                    at --base-url or $OPENAI_BASE_URL, with the key in $OPENAI_API_KEY
"""

_TRANSLATE_HELP = """\
For each function with loops: a prompt with its source, the target and what the analysis
proved (verdicts, reductions, privates, the dependences that block parallelism); the code
block of the reply; a syntax check; the legality gate (`paralift check` on the candidate: a
loop parallelized against a proven dependence is refused before any test runs); the tester.
On failure, the gate's reason or the tester's counterexample goes into the next prompt.
Only verified functions are written. A summary reports attempts, pass@1 and pass@K.

""" + _MODELS

_EVALUATE_HELP = """\
pass@k of a model on the held-out split of verified records (`paralift dataset build`),
each kernel judged by the tester exactly as `paralift translate` judges it. The split is a
hash of each record's kernel, the same one `paralift train --holdout` leaves out, so a model
is never scored on what it was trained on. pass@k is the unbiased estimator over --samples
runs per kernel; several samples need --temperature above 0 (a greedy model repeats itself).
--accepted appends the verified translations as new records (co-evolution).

""" + _MODELS

_EVOLVE_HELP = """\
Co-evolution rounds: train a LoRA adapter on the train split, let it translate the train
split's kernels and the unlabeled kernels of --pool, add what the tester verifies to the
data, and score the held-out kernels (fixed before the first round). Every round writes its
adapter and data to OUT/round-N/.
"""


def add_parsers(sub) -> None:
    t = sub.add_parser("translate", help="let a model propose parallel code; keep only what the tester verifies",
                       description=_TRANSLATE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("paths", nargs="+", metavar="PATH", help="Python or C files, or directories")
    t.add_argument("--target", choices=targets.NAMES, required=True)
    _model_options(t)
    t.add_argument("--attempts", type=_positive, default=3, metavar="K", help="attempts per function (default 3)")
    t.add_argument("--function", action="append", metavar="NAME", help="only this function (repeatable)")
    t.add_argument("--accepted", metavar="OUT.jsonl", help="also append each verified translation as a training "
                                                           "record (co-evolution)")
    tmode = t.add_mutually_exclusive_group()
    tmode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    tmode.add_argument("--in-place", action="store_true", help="rewrite the files themselves")
    tmode.add_argument("-o", "--output", metavar="OUT", help="write the result here (one input file)")

    d = sub.add_parser("dataset", help="build training records the tester verified")
    dsub = d.add_subparsers(dest="dataset_command", metavar="ACTION")
    db = dsub.add_parser("build", help="(sequential, parallel, tests) records as JSONL, every one verified")
    db.add_argument("paths", nargs="*", metavar="PATH", help="Python or C files, or directories (never the "
                                                             "acceptance corpus)")
    db.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    db.add_argument("--generate", type=int, default=0, metavar="N",
                    help="also N generated kernels, and a renamed copy of them")
    db.add_argument("--seed", type=int, default=0)
    _holdout_option(db)

    tr = sub.add_parser("train", help="fine-tune a causal LM on records with LoRA (transformers + peft)")
    tr.add_argument("--data", required=True, action="append", metavar="DATA.jsonl",
                    help="records (repeatable: a round's accepted records next to the first data)")
    tr.add_argument("--model", default=None, metavar="PATH",
                    help="a local checkpoint (default: a tiny GPT-2 built from a config, for smoke runs)")
    tr.add_argument("--out", required=True, metavar="DIR", help="where the adapter and tokenizer go")
    _training_options(tr)
    _holdout_option(tr)

    e = sub.add_parser("evaluate", help="pass@k of a model on held-out records, judged by the tester",
                       description=_EVALUATE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("--data", required=True, action="append", metavar="DATA.jsonl",
                   help="records from `paralift dataset build` (repeatable)")
    _model_options(e)
    e.add_argument("--split", choices=["holdout", "train", "all"], default="holdout",
                   help="which kernels to score (default: the held-out ones)")
    _holdout_option(e)
    e.add_argument("--target", choices=targets.NAMES, default=None,
                   help="translate for this target instead of each record's own")
    e.add_argument("--samples", type=_positive, default=1, metavar="N", help="independent runs per kernel (default 1)")
    e.add_argument("--attempts", type=_positive, default=1, metavar="K",
                   help="attempts with feedback within a run (default 1)")
    e.add_argument("-k", dest="ks", type=_positive, action="append", metavar="K",
                   help="report pass@K (repeatable; default 1 and --samples)")
    e.add_argument("--limit", type=_positive, default=None, metavar="N", help="only the first N kernels")
    e.add_argument("--accepted", metavar="OUT.jsonl", help="append the verified translations as new records")
    e.add_argument("--json", action="store_true", help="print the results as JSON")

    v = sub.add_parser("evolve", help="co-evolution: train, translate, keep what the tester verifies, repeat",
                       description=_EVOLVE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("--data", required=True, action="append", metavar="DATA.jsonl",
                   help="verified records to start from (repeatable)")
    v.add_argument("--out", required=True, metavar="DIR", help="each round's model and data go to DIR/round-N/")
    v.add_argument("--rounds", type=_positive, default=2, help="rounds (default 2)")
    v.add_argument("--model", default=None, metavar="PATH", help="the base checkpoint (default: a tiny GPT-2)")
    v.add_argument("--pool", action="append", default=[], metavar="PATH",
                   help="unlabeled Python or C kernels for the model to translate (repeatable)")
    v.add_argument("--samples", type=_positive, default=1, metavar="N", help="runs per kernel each round (default 1)")
    v.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0: greedy)")
    v.add_argument("--max-new-tokens", type=_positive, default=512, help="reply length (default 512)")
    _training_options(v)
    _holdout_option(v)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), not {value}")
    return value


def _model_options(p) -> None:
    p.add_argument("--model", required=True, metavar="NAME_OR_PATH",
                   help="`paralift` (the compiler pipeline), a checkpoint directory, or a model name served at "
                        "--base-url")
    p.add_argument("--base-url", default=None,
                   help="an OpenAI-compatible endpoint (default: $OPENAI_BASE_URL); key from $OPENAI_API_KEY")
    p.add_argument("--temperature", type=float, default=None,
                   help="sampling temperature (default: 0.2 for endpoints, greedy for checkpoints)")
    p.add_argument("--max-new-tokens", type=_positive, default=512, help="a checkpoint's reply length (default 512)")


def _training_options(p) -> None:
    p.add_argument("--steps", type=_positive, default=100, help="optimizer steps (default 100)")
    p.add_argument("--batch", type=_positive, default=4, help="records per step (default 4)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default 2e-4 for a checkpoint's LoRA adapters, 3e-3 for the tiny model)")


def _lr(args) -> float:
    return args.lr if args.lr is not None else (2e-4 if args.model else 3e-3)


def _holdout_option(p) -> None:
    p.add_argument("--holdout", type=_fraction, default=0.2, metavar="F",
                   help="fraction of kernels held out for evaluate, by a hash of each kernel (default 0.2; "
                        "0 trains on everything)")


class _Refused(Exception):
    pass


def _translator(args, target: str | None):
    from paralift.translator_model.translators import (
        EndpointTranslator,
        PipelineTranslator,
    )
    if args.model == "paralift":
        return PipelineTranslator(target)  # None: each request's own target
    hub = args.model.startswith("hf:")
    if os.path.isdir(args.model) or hub:
        if not _has_llm_extra():
            raise _Refused("a transformers model needs the llm extra: pip install 'paralift[llm]'")
        from paralift.translator_model.translators import TransformersTranslator
        where = args.model[3:] if hub else args.model
        try:
            return TransformersTranslator(where, args.max_new_tokens, args.temperature or 0.0)
        except (OSError, ValueError) as err:
            raise _Refused(f"{where}: not a loadable transformers checkpoint or adapter"
                           f"{' (from the hub or its local cache)' if hub else ''}: {str(err)[:300]}") from None
    base = args.base_url or os.environ.get("OPENAI_BASE_URL")
    if not base:
        raise _Refused(f"`{args.model}` is neither `paralift` nor a checkpoint directory, so it names an endpoint "
                       "model: give --base-url or set OPENAI_BASE_URL")
    kwargs = {} if args.temperature is None else {"temperature": args.temperature}
    return EndpointTranslator(args.model, base, **kwargs)


def _read_records(paths: list[str]) -> list[dict]:
    records = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as err:
                        raise _Refused(f"{path}:{n}:{err.colno}: not a JSON record: {err.msg}") from None
        except OSError as err:
            raise _Refused(f"{path}: {err.strerror}") from None
    missing = [r.get("id", "?") for r in records if not {"sequential", "function", "path", "target"} <= r.keys()]
    if missing:
        raise _Refused(f"{len(missing)} record(s) lack sequential/function/path/target, e.g. {missing[0]}")
    return records


def _append_records(path: str, records: list[dict]) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)


def _has_llm_extra() -> bool:
    from importlib.util import find_spec
    return all(find_spec(m) is not None for m in ("torch", "transformers", "peft"))


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    handler = {"translate": _translate, "dataset": _dataset, "train": _train, "evaluate": _evaluate,
               "evolve": _evolve}[args.command]
    try:
        return handler(args)
    except _Refused as err:
        _say(f"paralift: {err}")
        return EXIT_INPUT_ERROR


def _translate(args: argparse.Namespace) -> int:
    import difflib

    from paralift.diagnostics import Diagnostic
    from paralift.files import (
        WriteError,
        expand_paths,
        read_source,
        source_lines,
        write_back,
    )
    from paralift.translator_model.loop import summary, translate_source
    translator = _translator(args, args.target)
    inputs = list(expand_paths(args.paths))
    if args.output and len(inputs) != 1:
        raise _Refused("-o needs exactly one input file")
    from paralift.verify.sandbox import describe
    _say(f"paralift: the model's code runs in a {describe()}")
    results, failed, changed = [], False, False
    for t in inputs:
        if isinstance(t, Diagnostic):
            _say(f"{t.span.where()}: error {t.code}: {t.message}")
            failed = True
            continue
        source, problem = read_source(t)
        if problem is not None:
            _say(f"{problem.span.where()}: error {problem.code}: {problem.message}")
            failed = True
            continue
        res = translate_source(source, t, args.target, translator, args.attempts,
                               set(args.function) if args.function else None,
                               progress=lambda msg, t=t: _say(f"{t}: {msg}"))
        for e in res.errors:
            _say(f"paralift: {e}")
            failed = True
        results.append(res)
        if args.accepted:
            _append_records(args.accepted, _translated_records(res, args.target, translator.name))
        if not res.changed:
            continue
        changed = True
        if args.in_place or args.output:
            try:
                write_back(args.output or t, res.result, read_as=res.original if args.in_place else None)
            except WriteError as why:
                _say(f"{args.output or t}: cannot write: {why}")
                failed = True
                continue
            _say(f"Rewriting {args.output or t}")
        else:
            sys.stdout.writelines(difflib.unified_diff(source_lines(res.original, keepends=True),
                                                       source_lines(res.result, keepends=True), t,
                                                       f"{t} ({args.target}, {translator.name})"))
    for line in summary(results, args.attempts):
        _say(line)
    if failed:
        return EXIT_INPUT_ERROR
    return EXIT_CHANGED if changed else EXIT_OK


def _translated_records(res, target: str, model: str) -> list[dict]:
    """A translate run's verified functions as records, each with its module cut from the
    original file, so a record never depends on the rest of the file."""
    from paralift.files import language_of
    from paralift.translator_model.dataset import SourceFile, record_id
    from paralift.translator_model.evaluate import answer_record, fresh
    language = language_of(res.path) or "python"
    original = SourceFile(res.original, res.path, language)
    answers = []
    for f in res.functions:
        if not f.passed:
            continue
        sequential = original.text(f.function)
        rid = record_id(res.path, f.function, sequential)
        kernel = {"id": rid, "path": res.path, "language": language, "function": f.function,
                  "sequential": sequential, "module": original.module(f.function)}
        answers.append(answer_record(kernel, target, res.result, f.attempts[-1].message, model))
    return fresh(answers)


def _dataset(args: argparse.Namespace) -> int:
    from paralift.translator_model.dataset import ForbiddenCorpus, build_records
    from paralift.translator_model.evaluate import split_of
    if args.dataset_command != "build":
        raise _Refused("dataset needs an action: build")
    count = held = 0
    try:
        with open(args.output, "w", encoding="utf-8") as out:
            for record in build_records(args.paths, args.generate, args.seed,
                                        progress=lambda p: _say(f"records from {p}")):
                out.write(json.dumps(record) + "\n")
                count += 1
                held += split_of(record, args.holdout) == "holdout"
    except ForbiddenCorpus as err:
        raise _Refused(str(err)) from None
    _say(f"paralift: {count} verified record(s) written to {args.output} ({count - held} train, {held} held out)")
    return EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from paralift.translator_model.evaluate import select
    if not _has_llm_extra():
        raise _Refused("training needs the llm extra: pip install 'paralift[llm]'")
    from paralift.translator_model.train import train
    records = select(_read_records(args.data), "train", args.holdout)
    if not records:
        raise _Refused("no training records left after the held-out split")
    res = train(records, args.out, args.model, steps=args.steps, batch=args.batch, lr=_lr(args))
    _say(f"paralift: {res.examples} examples (held out: {args.holdout:.0%} of kernels), "
         f"loss {res.losses[0]:.3f} -> {res.losses[-1]:.3f}; {'adapter' if args.model else 'model'} in {res.out}")
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from paralift.translator_model.evaluate import accepted, evaluate, kernels, select
    records = _read_records(args.data)
    asked = kernels(select(records, args.split, args.holdout))[:args.limit]
    if not asked:
        raise _Refused(f"no {args.split} kernels in {', '.join(args.data)}")
    ks = sorted(set(args.ks or [1, args.samples]))
    if max(ks) > args.samples:
        raise _Refused(f"pass@{max(ks)} needs --samples {max(ks)} or more")
    translator = _translator(args, args.target)
    ev = evaluate(asked, translator, args.samples, args.attempts, args.target, args.split, progress=_say)
    if args.json:
        print(json.dumps({"model": ev.model, "split": ev.split, "kernels": len(ev.kernels),
                          **{f"pass@{k}": ev.pass_at(k) for k in ks}, "stages": ev.stages(),
                          "results": [{"function": r.record["function"], "target": r.target, "passed": r.passed,
                                       "samples": len(r.samples), "last_stage": r.samples[-1].stage}
                                      for r in ev.kernels]}, indent=2))
    else:
        print("\n".join(ev.lines(ks)))
    if args.accepted:
        new = accepted(ev, records)
        _append_records(args.accepted, new)
        _say(f"paralift: {len(new)} new verified record(s) appended to {args.accepted}")
    return EXIT_OK


def _evolve(args: argparse.Namespace) -> int:
    if not _has_llm_extra():
        raise _Refused("co-evolution trains a model: pip install 'paralift[llm]'")
    from paralift.translator_model.dataset import ForbiddenCorpus, unlabeled
    from paralift.translator_model.evolve import evolve
    from paralift.translator_model.train import train
    from paralift.translator_model.translators import TransformersTranslator
    records = _read_records(args.data)
    try:
        pool = list(unlabeled(args.pool)) if args.pool else []
    except ForbiddenCorpus as err:
        raise _Refused(str(err)) from None
    rounds = evolve(records, args.rounds, args.out,
                    lambda data, out: train(data, out, args.model, steps=args.steps, batch=args.batch, lr=_lr(args)),
                    lambda ckpt: TransformersTranslator(ckpt, args.max_new_tokens, args.temperature),
                    pool, args.samples, 1, args.holdout, progress=_say)
    for r in rounds:
        print(r.line())
    return EXIT_OK
