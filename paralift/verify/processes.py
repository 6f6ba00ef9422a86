"""Child processes that never outlive paralift: killed with the parent, by group."""
from __future__ import annotations

import os
import subprocess
import sys


def die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the parent exits (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


def kill_group(proc: subprocess.Popen) -> None:
    """Kill a process started in a session of its own, and everything in its group."""
    import signal
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.kill()
    proc.wait()
