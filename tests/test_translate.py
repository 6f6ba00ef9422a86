"""The translate loop against a local chat-completions server that answers from a script."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paralift.translator_model import loop
from paralift.translator_model.loop import summary, translate_source
from paralift.translator_model.translators import EndpointTranslator, PipelineTranslator, TranslatorError

SOURCE = """def scale(a, n):
    for i in range(n):
        a[i] = 2.0 * a[i]
"""
PREFIX = """def prefix(a, n):
    for i in range(1, n):
        a[i] += a[i - 1]
"""
OFF_BY_ONE = """```python
import numba


@numba.njit(parallel=True)
def scale(a, n):
    for i in numba.prange(n - 1):
        a[i] = 2.0 * a[i]
```"""
RIGHT = OFF_BY_ONE.replace("prange(n - 1)", "prange(n)")
RACY = """```python
import numba


@numba.njit(parallel=True)
def prefix(a, n):
    for i in numba.prange(1, n):
        a[i] += a[i - 1]
```"""


class Script:
    """A chat-completions endpoint: each request gets the next scripted answer (or status)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests: list[dict] = []
        self.headers: list[dict] = []

    def __enter__(self):
        script = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                script.requests.append(body)
                script.headers.append(dict(self.headers))
                answer = script.answers.pop(0) if script.answers else 500
                if isinstance(answer, int):
                    self.send_response(answer)
                    self.end_headers()
                    self.wfile.write(b"scripted failure")
                    return
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def test_a_wrong_answer_is_refused_with_its_counterexample_in_the_next_prompt(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with Script([OFF_BY_ONE, RIGHT]) as server:
        res = translate_source(SOURCE, "k.py", "numba", EndpointTranslator("scripted", server.url), attempts=3)
    (f,) = res.functions
    assert [a.stage for a in f.attempts] == ["tester", "verified"]
    assert f.attempts[0].counterexample  # a concrete failing input
    second_prompt = server.requests[1]["messages"][-1]["content"]
    assert "Counterexample:" in second_prompt and f.attempts[0].counterexample in second_prompt
    assert server.requests[1]["messages"][-2]["content"] == OFF_BY_ONE  # its own answer, shown back
    assert "numba.prange(n)" in res.result and "prange(n - 1)" not in res.result
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    assert summary([res], 3)[-1].startswith("pass@1 0.00   pass@3 1.00")


def test_the_gate_refuses_an_unsafe_candidate_before_any_test_runs(monkeypatch):
    ran = []

    def no_tests(target, language):
        def session(*args):
            ran.append(args)  # a test would start here
            raise AssertionError("the tester ran")
        return session
    monkeypatch.setattr(loop, "_session", no_tests)
    with Script([RACY]) as server:
        res = translate_source(PREFIX, "p.py", "numba", EndpointTranslator("scripted", server.url), attempts=1)
    (f,) = res.functions
    (attempt,) = f.attempts
    assert attempt.stage == "gate" and "PL101 racy-loop" in attempt.message
    assert ran == []
    assert not f.passed and res.result == PREFIX  # nothing unverified is written


def test_the_prompt_carries_the_analysis_facts():
    with Script([RIGHT]) as server:
        translate_source(SOURCE + "\n\n" + PREFIX, "k.py", "numba", EndpointTranslator("scripted", server.url),
                         attempts=1, functions={"prefix"})
    text = server.requests[0]["messages"][-1]["content"]
    assert "def prefix(a, n):" in text and "def scale" not in text
    assert "loop `i` at line 7: sequential" in text and "blocked: `a[i - 1]`" in text


def test_the_prompt_asks_for_the_language_the_tester_judges():
    c = "void f(int n, double *y) {\n    for (int i = 0; i < n; i++)\n        y[i] = 2.0 * y[i];\n}\n"
    py = "def f(y, n):\n    for i in range(n):\n        y[i] = 2.0 * y[i]\n"
    asked = {(lang, target): loop.prompt(src, path, lang, "f", target)[-1]["content"]
             for lang, path, src in (("c", "f.c", c), ("python", "f.py", py)) for target in ("cuda", "mpi")}
    assert "CUDA C" in asked["c", "cuda"] and "numba.cuda" not in asked["c", "cuda"]
    assert "mpi.h" in asked["c", "mpi"] and "mpi4py" not in asked["c", "mpi"]
    assert "numba.cuda" in asked["python", "cuda"] and "mpi4py" in asked["python", "mpi"]


def test_the_endpoint_retries_server_errors_and_reports_what_went_wrong():
    with Script([503, RIGHT]) as server:
        assert EndpointTranslator("m", server.url, retries=1).complete([{"role": "user", "content": "x"}]) == RIGHT
    with Script([400]) as server:
        with pytest.raises(TranslatorError, match="answered 400"):
            EndpointTranslator("m", server.url, retries=3).complete([{"role": "user", "content": "x"}])
        assert len(server.requests) == 1  # a client error is not retried


def test_the_compiler_pipeline_is_a_translator_too():
    res = translate_source(SOURCE, "k.py", "numba", PipelineTranslator("numba"), attempts=2)
    (f,) = res.functions
    assert f.passed_within(1) and "numba.prange(n)" in res.result


def test_a_cuda_c_candidate_is_tested_exactly_as_written():
    """A `.cu` answer that does not build is refused as it is, never replaced by paralift's
    own rewrite; the same answer fixed is verified."""
    source = "void saxpy(int n, double a, const double *x, double *y) {\n" \
             "    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];\n}\n"
    good = PipelineTranslator("cuda").complete(loop.prompt(source, "s.c", "c", "saxpy", "cuda"))
    broken = good.replace("a * x[i]", "a * x[i", 1)
    assert broken != good
    with Script([broken, good]) as server:
        res = translate_source(source, "s.c", "cuda", EndpointTranslator("scripted", server.url), attempts=2)
    (f,) = res.functions
    assert [a.stage for a in f.attempts] == ["tester", "verified"]
    assert "__global__" in res.result and "a * x[i]" in res.result


def test_a_reply_that_renames_the_function_is_refused_before_any_test():
    with Script([RIGHT.replace("def scale(", "def scale2("), RIGHT]) as server:
        res = translate_source(SOURCE, "k.py", "numba", EndpointTranslator("scripted", server.url), attempts=2)
    (f,) = res.functions
    assert [a.stage for a in f.attempts] == ["syntax", "verified"]
    assert f.attempts[0].message == ("the reply does not define `scale` (it defines `scale2`): keep the function's "
                                     "name and signature")
    assert f.attempts[0].message in server.requests[1]["messages"][-1]["content"]
