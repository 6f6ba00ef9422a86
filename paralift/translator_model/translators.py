"""Translators behind one protocol: given chat messages, return the model's reply text.

- `EndpointTranslator`: any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp
  server, Ollama), with the key from an environment variable, a timeout and retries.
- `PipelineTranslator`: paralift's own compiler pipeline, answering as a model would, so the
  loop, the gate and the tester treat every proposer alike.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol


class Translator(Protocol):
    """Messages are chat messages; the loop's own messages also carry a `paralift` key (the
    file and function, as JSON), which model translators ignore."""

    name: str

    def complete(self, messages: list[dict]) -> str: ...


class TranslatorError(RuntimeError):
    pass


@dataclass
class EndpointTranslator:
    """POST {base_url}/chat/completions, as the openai SDK does."""

    model: str
    base_url: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 120.0
    retries: int = 2
    temperature: float = 0.2

    @property
    def name(self) -> str:
        return self.model

    def complete(self, messages: list[dict]) -> str:
        chat = [{"role": m["role"], "content": m["content"]} for m in messages]  # nothing of paralift's own
        body = json.dumps({"model": self.model, "messages": chat, "temperature": self.temperature}).encode()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = self.base_url.rstrip("/") + "/chat/completions"
        last = None
        for attempt in range(self.retries + 1):
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310 - user's endpoint
                    data = json.loads(reply.read().decode())
                return data["choices"][0]["message"]["content"]
            except urllib.error.HTTPError as err:
                last = f"{url} answered {err.code}: {err.read().decode(errors='replace')[:300]}"
                if err.code < 500 and err.code != 429:
                    break  # a client error does not get better by asking again
            except (urllib.error.URLError, TimeoutError, OSError) as err:
                last = f"{url}: {err}"
            except (KeyError, IndexError, ValueError) as err:
                last = f"{url} answered something that is not a chat completion: {err}"
                break
            time.sleep(min(2 ** attempt, 8) * 0.25)
        raise TranslatorError(last or "no answer")


@dataclass
class PipelineTranslator:
    """paralift's analysis and backends, as a translator (the `paralift` model). Without a
    target of its own it answers for the target each request names."""

    target: str | None = None
    name: str = "paralift"
    returns_file: bool = True  # answers with the whole rewritten file, kernels and helpers included

    def complete(self, messages: list[dict]) -> str:
        from paralift.files import language_of
        from paralift.rewriting import rewrite_source
        request = json.loads(messages[-1].get("paralift", "{}")) if "paralift" in messages[-1] else None
        if request is None:
            raise TranslatorError("the paralift pipeline answers the loop's own requests only")
        res = rewrite_source(request["source"], request["path"], target=self.target or request["target"],
                             functions={request["function"]}, check=False)
        fence = language_of(request["path"]) or "python"
        return f"```{fence}\n{res.result}\n```"


def render(tokenizer, messages: list[dict]) -> str:
    """A conversation as the model's text, ready for its reply: the tokenizer's chat
    template when it has one (training renders its examples the same way)."""
    chat = [{"role": m["role"], "content": m["content"]} for m in messages]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    return "\n\n".join(f"{m['role']}: {m['content']}" for m in chat) + "\n\nassistant: "


@dataclass
class TransformersTranslator:
    """A local causal LM checkpoint (a directory with a model and its tokenizer; a LoRA
    adapter from `paralift train` too). Uses the tokenizer's chat template when it has one."""

    path: str
    max_new_tokens: int = 512
    temperature: float = 0.0  # 0: greedy; above 0: sampling, for pass@k over several samples

    def __post_init__(self):
        from pathlib import Path

        from transformers import AutoModelForCausalLM, AutoTokenizer
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        if (Path(self.path) / "adapter_config.json").exists():
            from peft import AutoPeftModelForCausalLM
            self.model = AutoPeftModelForCausalLM.from_pretrained(self.path)
        else:
            self.model = AutoModelForCausalLM.from_pretrained(self.path)
        self.model.eval()

    @property
    def name(self) -> str:
        return self.path

    def complete(self, messages: list[dict]) -> str:
        import torch
        text = render(self.tokenizer, messages)
        window = getattr(self.model.config, "max_position_embeddings", None) or getattr(
            self.model.config, "n_positions", 4096)
        self.tokenizer.truncation_side = "left"  # keep the end of the conversation: the latest request
        enc = self.tokenizer(text, return_tensors="pt", truncation=True,
                             max_length=max(window - self.max_new_tokens, 16))
        with torch.no_grad():
            sampling = {"do_sample": True, "temperature": self.temperature} if self.temperature > 0 else {
                "do_sample": False}
            out = self.model.generate(**enc, max_new_tokens=self.max_new_tokens, **sampling,
                                      pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
        return self.tokenizer.decode(out[0][enc["input_ids"].shape[1]:], skip_special_tokens=True)
