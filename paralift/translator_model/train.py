"""Fine-tune a causal LM on verified records with LoRA (transformers + peft).

`--model` is a local checkpoint directory (LoRA adapters); without one, a tiny GPT-2 is
built from a config with a byte-level BPE tokenizer trained on the records themselves and
trained whole, which is what the tests and a quick smoke run use (no download). Losses are
returned and written next to the weights, so a run can be checked: on a fixed batch, the
loss must fall.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from paralift.translator_model.dataset import answer_text, messages_for


@dataclass(frozen=True)
class TrainResult:
    out: str
    losses: tuple[float, ...]
    examples: int


def tiny_model(texts: list[str], vocab_size: int = 400, seed: int = 0, **config):
    """A 2-layer GPT-2 (or as `config` says) and a tokenizer trained on `texts`, built
    in-process."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast
    torch.manual_seed(seed)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=1, special_tokens=["<|endoftext|>"],
                            show_progress=False)  # it writes to stdout
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>",
                                        pad_token="<|endoftext|>")
    shape = {"n_positions": 512, "n_embd": 64, "n_layer": 2, "n_head": 2, **config}
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=tokenizer.eos_token_id,
                        eos_token_id=tokenizer.eos_token_id, **shape)
    return GPT2LMHeadModel(config), tokenizer


def _lora_targets(model) -> list[str]:
    names = {n.split(".")[-1] for n, _ in model.named_modules()}
    for group in (["c_attn", "c_proj", "c_fc"], ["q_proj", "k_proj", "v_proj", "o_proj"], ["query", "value"]):
        if set(group) <= names:
            return group
    raise ValueError("no attention projection to put LoRA adapters on")


def train(records: list[dict], out: str, model_path: str | None = None, steps: int = 30, batch: int = 4,
          lr: float = 3e-3, max_len: int = 1024, seed: int = 0, fixed_batch: bool = False,
          tiny: dict | None = None) -> TrainResult:
    """Fine-tune on (the loop's own prompt for a record, the reply it accepts). The loss is
    on the reply's tokens only; a prompt too long for `max_len` loses its beginning, never
    the request at its end or the reply. A checkpoint gets LoRA adapters (saved alone,
    naming their base); the tiny model, whose weights start random and mean nothing, is
    trained whole and saved whole (`tiny` overrides its GPT-2 config)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from paralift.translator_model.translators import render
    chats = [messages_for(r) for r in records]
    answers = [answer_text(r) for r in records]
    if not chats:
        raise ValueError("no records to train on")
    if model_path:  # a checkpoint; the adapter records its path as its base, so make it absolute
        from transformers import AutoModelForCausalLM, AutoTokenizer
        model_path = str(Path(model_path).resolve()) if Path(model_path).is_dir() else model_path
        tokenizer = AutoTokenizer.from_pretrained(model_path)
        model = AutoModelForCausalLM.from_pretrained(model_path)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
    else:
        model, tokenizer = tiny_model([render(None, c) + a for c, a in zip(chats, answers)], seed=seed, **(tiny or {}))
    window = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", max_len)
    pairs = [_encode(tokenizer, render(tokenizer, c), a, min(max_len, window)) for c, a in zip(chats, answers)]
    if model_path:
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, task_type="CAUSAL_LM",
                                                 target_modules=_lora_targets(model)))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    rng = random.Random(seed)
    chosen = rng.sample(pairs, min(batch, len(pairs)))
    losses = []
    model.train()
    for _ in range(steps):
        group = chosen if fixed_batch else rng.sample(pairs, min(batch, len(pairs)))
        loss = model(**_batch(group, tokenizer.pad_token_id)).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(float(loss.detach()))
    Path(out).mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (Path(out) / "paralift-train.json").write_text(json.dumps({"losses": losses, "examples": len(pairs)}))
    return TrainResult(out, tuple(losses), len(pairs))


def _encode(tokenizer, prompt: str, answer: str, max_len: int) -> tuple[list[int], int]:
    """(token ids, how many of them are prompt): the reply whole (up to half the window),
    the prompt cut from the left to fit."""
    reply = tokenizer(answer + tokenizer.eos_token, add_special_tokens=False)["input_ids"][:max(max_len // 2, 1)]
    asked = tokenizer(prompt, add_special_tokens=False)["input_ids"][-(max_len - len(reply)):]
    return asked + reply, len(asked)


def _batch(group: list[tuple[list[int], int]], pad: int) -> dict:
    import torch
    width = max(len(ids) for ids, _ in group)
    ids = torch.full((len(group), width), pad, dtype=torch.long)
    mask = torch.zeros((len(group), width), dtype=torch.long)
    labels = torch.full((len(group), width), -100, dtype=torch.long)
    for row, (tokens, asked) in enumerate(group):
        ids[row, :len(tokens)] = torch.tensor(tokens)
        mask[row, :len(tokens)] = 1
        labels[row, asked:len(tokens)] = torch.tensor(tokens[asked:])
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}
