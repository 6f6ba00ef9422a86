"""The user's files: odd inputs are refused or read as compilers read them, and writes never
lose data (issue 12, sections 4 and 5)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from paralift.analysis import analyze_source
from paralift.files import expand_paths, read_source
from paralift.cli import main
from paralift.files import WriteError, source_lines, write_back
from paralift.rewriting import rewrite_source

KERNEL = "def scale(a, b, n):\n    for i in range(n):\n        b[i] = 2.0 * a[i]\n"


def test_source_lines_break_where_the_compilers_do():
    text = "a = 1  # \f form feed\nb = '\u2028'\rc = '\x85'\r\nd"
    assert source_lines(text) == ["a = 1  # \f form feed", "b = '\u2028'", "c = '\x85'", "d"]
    assert "".join(source_lines(text, keepends=True)) == text
    assert source_lines("x\n") == "x\n".splitlines()


@pytest.mark.parametrize("odd", ["\f", "\u2028", "\x85"])
def test_an_odd_line_break_does_not_move_the_rewrite(odd):
    source = f"# a note with {odd} inside\n" + KERNEL + "\n\ndef prefix(a, n):\n" \
        "    for i in range(1, n):\n        a[i] += a[i - 1]\n"
    res = rewrite_source(source, "k.py", check=False)
    assert "for i in numba.prange(n):" in res.result
    assert "for i in range(1, n):" in res.result  # the sequential loop is left alone


def test_a_byte_order_mark_is_read_and_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + KERNEL.encode())
    text, problem = read_source(str(path))
    assert problem is None and not text.startswith("\ufeff")
    assert analyze_source(text, str(path)).kernels[0].loops[0].verdict == "parallel"
    write_back(str(path), text.replace("2.0", "3.0"), read_as=text)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"3.0" in path.read_bytes()


def test_fifos_and_devices_are_refused_and_skipped_in_walks(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    (tmp_path / "k.py").write_text(KERNEL)
    text, problem = read_source(str(fifo))
    assert text is None and "FIFO" in problem.message
    text, problem = read_source("/dev/zero")
    assert text is None and "device" in problem.message
    assert list(expand_paths([str(tmp_path)])) == [str(tmp_path / "k.py")]


def test_writes_go_through_symlinks_and_keep_mode_and_hard_links(tmp_path):
    real = tmp_path / "real.py"
    real.write_text(KERNEL)
    os.chmod(real, 0o640)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    other = tmp_path / "other-name.py"
    os.link(real, other)
    write_back(str(link), KERNEL + "# changed\n", read_as=KERNEL)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (os.stat(real).st_mode & 0o777) == 0o640
    assert other.read_text().endswith("# changed\n") and os.stat(real).st_nlink == 2


def test_a_file_edited_meanwhile_is_never_overwritten(tmp_path):
    path = tmp_path / "k.py"
    path.write_text(KERNEL + "# the user's edit\n")
    with pytest.raises(WriteError, match="changed while paralift was verifying it"):
        write_back(str(path), KERNEL + "# paralift's result\n", read_as=KERNEL)
    assert path.read_text().endswith("# the user's edit\n")
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".paralift-")]  # no temporaries left


def test_an_unwritable_target_is_a_message_and_exit_2_and_the_others_go_on(tmp_path, capsys):
    good = tmp_path / "good.py"
    good.write_text(KERNEL)
    code = main(["rewrite", str(tmp_path / "missing-dir" / "x.py"), str(good), "--in-place", "--no-verify"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no such file or directory" in err and "Rewriting" in err
    assert "numba.prange" in good.read_text()
    fresh = tmp_path / "fresh.py"
    fresh.write_text(KERNEL)
    out = tmp_path / "nowhere" / "out.py"
    assert main(["rewrite", str(fresh), "-o", str(out), "--no-verify"]) == 2
    assert f"{out}: cannot write: No such file or directory" in capsys.readouterr().err


def test_sigint_exits_130_quietly_and_sigterm_removes_temporaries(tmp_path):
    slow = tmp_path / "slow.py"
    slow.write_text(KERNEL)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        # as from a terminal: a runner that starts the suite in the background leaves SIGINT
        # ignored, and Python then never turns it into KeyboardInterrupt
        proc = subprocess.Popen([sys.executable, "-m", "paralift.cli", "rewrite", str(slow)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.time() + 60
        while time.time() < deadline and not [p for p in os.listdir(tmp_path) if p.startswith("paralift-")]:
            time.sleep(0.05)  # until the tester has made its temporaries
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == code, err
        assert "Traceback" not in err
        assert not [p for p in os.listdir(tmp_path) if p.startswith("paralift-")], os.listdir(tmp_path)
