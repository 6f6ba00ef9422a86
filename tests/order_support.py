"""What the property tests of new loop orders share (test_reschedule.py, test_fusion.py):
the parallel loop of a generated nest run backwards, as parallel threads may also run it,
and generated Python kernels as C, built with gcc."""
from __future__ import annotations

import ctypes
import re
import subprocess
from pathlib import Path


def backwards(text: str, line: int, language: str) -> str:
    """The text with the loop at `line` run from its last iteration to its first."""
    lines = text.split("\n")
    head = lines[line - 1]
    if language == "c":
        lines[line - 1] = re.sub(r"for \((\w[\w ]*?) (\w+) = (.*?); \2 < (.*?); \2\+\+\)",
                                 r"for (\1 \2 = (\4) - 1; \2 >= \3; \2--)", head)
    else:
        lines[line - 1] = re.sub(r"for (\w+) in range\((.*)\):", r"for \1 in reversed(range(\2)):", head)
    assert lines[line - 1] != head, head
    return "\n".join(lines)


def as_c(source: str, signature: str) -> str:
    """A generated Python kernel (`def kernel(...)`, loops over `range`, assignments) as C99
    under `signature`: each loop a block, `X[a, b]` as `X[a][b]`."""
    out, open_loops = [signature + " {"], []
    for line in source.splitlines()[1:]:
        indent, text = len(line) - len(line.lstrip()), line.strip()
        while open_loops and open_loops[-1] >= indent:
            out.append(" " * open_loops.pop() + "}")
        m = re.match(r"for (\w+) in range\((?:(.*), )?(.*)\):", text)
        if m:
            out.append(f"{' ' * indent}for (int {m[1]} = {m[2] or 0}; {m[1]} < {m[3]}; {m[1]}++) {{")
            open_loops.append(indent)
        else:
            out.append(" " * indent + re.sub(r"\[(\w[^\],]*), ([^\]]*)\]", r"[\1][\2]", text) + ";")
    out += [" " * x + "}" for x in reversed(open_loops)]
    return "\n".join(out + ["}"]) + "\n"


def compiled(text: str, work: Path, tag: str) -> ctypes.CDLL:
    """The C text built as a shared library (gcc -O1) in `work`."""
    (work / f"{tag}.c").write_text(text)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(work / f"{tag}.so"), str(work / f"{tag}.c")],
                   check=True, capture_output=True)
    return ctypes.CDLL(str(work / f"{tag}.so"))
