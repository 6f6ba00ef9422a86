"""A model's code runs in the sandbox: a scripted endpoint answers with hostile candidates
and each one is contained, refused, and leaks nothing into the requests it receives."""
from __future__ import annotations

import os
import subprocess
import textwrap

import pytest

from paralift.translator_model import policy
from paralift.translator_model.loop import translate_source
from paralift.translator_model.translators import EndpointTranslator
from paralift.verify import sandbox
from paralift.verify.worker import Worker
from test_translate import SOURCE, Script

SECRET = "sk-paralift-test-secret-9f3c1e"
MARKER = "31337"  # `sleep 31337`: a child left behind would show in the process table


def _reply(body: str) -> str:
    return "```python\n" + textwrap.dedent(body).strip() + "\n```"


def _hostile(outside: str, port: int) -> list[str]:
    return [
        _reply(f"""
            def scale(a, n):
                open({outside!r}, "w").write("escaped")
                for i in range(n):
                    a[i] = 2.0 * a[i]
            """),
        _reply("""
            import os
            def scale(a, n):
                raise ValueError("key=" + str(os.environ.get("OPENAI_API_KEY")) + str(dict(os.environ)))
            """),
        _reply(f"""
            import socket
            def scale(a, n):
                socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"POST /leak")
                for i in range(n):
                    a[i] = 2.0 * a[i]
            """),
        _reply(f"""
            import subprocess
            def scale(a, n):
                subprocess.Popen(["sleep", "{MARKER}"])
                for i in range(n):
                    a[i] = 2.0 * a[i]
                raise RuntimeError("child started")
            """),
        _reply("""
            def scale(a, n):
                while True:
                    pass
            """),
        _reply("""
            import numpy as np
            def scale(a, n):
                big = np.ones(8 * 2**30 // 8)
                for i in range(n):
                    a[i] = 2.0 * a[i] + big[0] - 1.0
            """),
        _reply("""
            import os
            os.system("touch /tmp/paralift-module-level-payload")
            def scale(a, n):
                for i in range(n):
                    a[i] = 2.0 * a[i]
            """),
    ]


@pytest.mark.skipif(sandbox.available_isolation() != "bubblewrap",
                    reason="bubblewrap cannot run here (.ci/run installs it): without it there is no read-only "
                           "system or network isolation to test")
def test_hostile_candidates_are_contained_and_leak_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    outside = str(tmp_path / "escaped.txt")
    with Script([]) as server:
        port = server.server.server_port
        answers = _hostile(outside, port)
        server.answers = list(answers)
        res = translate_source(SOURCE, "k.py", "numba", EndpointTranslator("scripted", server.url),
                               attempts=len(answers))
    (f,) = res.functions
    stages = [a.stage for a in f.attempts]
    assert not f.passed and res.result == SOURCE, stages  # nothing unverified is written
    assert stages == ["tester"] * 6 + ["gate"], [(a.stage, a.message) for a in f.attempts]
    messages = [a.message for a in f.attempts]
    assert "Read-only file system" in messages[0] and not os.path.exists(outside)
    assert "key=None" in messages[1]                       # the environment was scrubbed
    assert "Network is unreachable" in messages[2] or "Errno" in messages[2]
    assert "did not return within" in messages[4]          # the endless loop timed out
    assert "MemoryError" in messages[5]                     # the 8 GB allocation failed
    assert "may only import modules and define functions" in messages[6]
    assert not os.path.exists("/tmp/paralift-module-level-payload")
    assert len(server.requests) == len(answers)            # no candidate reached the endpoint
    for request in server.requests:
        assert SECRET not in str(request)
    assert all(len(m["content"]) < 4000 for r in server.requests for m in r["messages"] if m["role"] == "user")
    left = subprocess.run(["pgrep", "-f", f"sleep {MARKER}"], capture_output=True, text=True).stdout
    assert left == "", "a child of the candidate outlived it"


def test_the_sandbox_isolates_a_worker():
    with sandbox.confined() as box, Worker(1) as worker:
        code = "import os\ndef where():\n    return os.getcwd(), os.environ.get('HOME'), sorted(os.environ)\n"
        assert worker.request(("load", code, "w.py"))[0] == "ok"
        _, _, (cwd, home, names) = worker.request(("call", "where", 1, []))
    assert cwd == box.workdir and home == box.home
    assert set(names) <= {"HOME", "TMPDIR", "PYTHONPATH", "PYTHONNOUSERSITE", "NUMBA_NUM_THREADS",
                          "NUMBA_CACHE_DIR", "PATH", "PWD", "LANG", "LANGUAGE", "TZ", "TERM"} | \
        {n for n in names if n.startswith(sandbox.ENV_PREFIXES)}
    assert not os.path.exists(box.workdir)  # removed afterwards


def test_isolation_is_described():
    text = sandbox.describe()
    assert text.startswith("sandbox: ")
    if sandbox.available_isolation() != "bubblewrap":  # the weaker isolation says what is missing
        assert "install the `bubblewrap` package" in text
    env = sandbox.create("rlimits")
    try:
        assert sandbox.Sandbox(env.workdir, "rlimits").argv(["true"]) == ["true"]
        assert sandbox.Sandbox(env.workdir, "unshare").argv(["true"])[:2] == ["unshare", "--net"]
        assert "--unshare-net" in sandbox.Sandbox(env.workdir, "bubblewrap").argv(["true"])
    finally:
        sandbox.remove(env)


@pytest.mark.parametrize("reply, refused", [
    ("import numba\n\ndef f(a):\n    return a\n", None),
    ('"""doc"""\nimport math\n\nasync def g():\n    pass\n', None),
    ("x = 1\ndef f(a):\n    return a\n", "line 1 of the reply is `x = 1`"),
    ("def f(a):\n    return a\nprint('hi')\n", "line 3"),
])
def test_a_python_reply_may_only_import_and_define(reply, refused):
    got = policy.reply_problem(reply, "python")
    assert (got is None) if refused is None else (refused in got)


@pytest.mark.parametrize("reply, refused", [
    ("#include <math.h>\n#include <omp.h>\nvoid f(double *a) {\n#pragma omp parallel for\n for(;;);}\n", None),
    ('#include "secret.h"\nvoid f() {}\n', "standard headers"),
    ("#include </etc/passwd>\nvoid f() {}\n", "standard headers"),
    ("__attribute__((constructor)) static void g(void) {}\n", "runs code on load"),
    ("void f() { __asm__(\"nop\"); }\n", "assembly"),
    ("#pragma GCC optimize(\"O0\")\nvoid f() {}\n", "only `#pragma omp`"),
    ("#line 1 \"x\"\nvoid f() {}\n", "`#line`"),
])
def test_a_c_reply_may_only_include_standard_headers(reply, refused):
    got = policy.reply_problem(reply, "c")
    assert (got is None) if refused is None else (refused in got)


def test_feedback_is_one_bounded_line():
    text = "the candidate raised ValueError: bad\nTraceback (most recent call last):\n  secret line"
    assert policy.for_model(text) == "the candidate raised ValueError: bad"
    assert len(policy.for_model("x" * 10_000)) == policy.FEEDBACK_LIMIT
