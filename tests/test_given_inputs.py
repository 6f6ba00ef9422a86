"""The tester's inputs: roles read from every use, and the user's own inputs first."""
from __future__ import annotations

from paralift.frontend.python import parse
from paralift.rewriting import rewrite_source
from paralift.verify.options import TesterOptions
from paralift.verify.signature import signature

STRUCTURED = '''import numpy as np


def row_sums(indptr, data, out):
    assert indptr[0] == 0 and indptr[-1] == data.shape[0]   # CSR: generated inputs never are
    for r in range(out.shape[0]):
        s = 0.0
        for k in range(indptr[r], indptr[r + 1]):
            s += data[k]
        out[r] = s
'''
HOOK = '''

def paralift_inputs_row_sums():
    out = []
    for rows in (1, 3, 6, 9):
        indptr = np.cumsum([0] + [r % 4 + 1 for r in range(rows)])
        out.append((indptr, np.arange(float(indptr[-1])), np.zeros(rows)))
    return out
'''


def _roles(source: str, name: str) -> dict[str, tuple[str, int]]:
    module = parse(source, "k.py")
    kernel = next(k for k in module.kernels if k.name == name)
    return {s.name: (s.role, s.rank) for s in signature(kernel, module)}


def test_roles_come_from_every_use():
    roles = _roles('''import numpy as np
def f(radius, M, C, dt, img, out, n):
    big = radius.max()
    for i in range(n):
        lo = max(0, i - n)
        out[i, :] = img[i, lo:] @ M + big
    t = np.zeros((n, n), dtype=dt)
    return C.shape[0] + len(C) + t
''', "f")
    assert roles["radius"] == ("array", 1)           # a method of an array, not a callable
    assert roles["M"] == ("array", 2)                # an operand of `@`, used whole
    assert roles["C"] == ("array", 1)                # `C.shape`, `len(C)`
    assert roles["dt"][0] == "dtype"
    assert roles["n"][0] == "size"


def test_a_helper_of_the_module_tells_its_arguments_roles():
    roles = _roles('''def helper(a, i):
    return a[i, 0]
def f(a, b, n):
    for i in range(n):
        b[i] = helper(a, i)
''', "f")
    assert roles["a"] == ("array", 2)


def test_without_inputs_a_structured_kernel_is_refused_with_a_hint():
    res = rewrite_source(STRUCTURED, "k.py", check=True)
    [v] = res.refused
    assert "no input could be run" in v.message and "paralift_inputs_row_sums" in v.message


def test_the_users_inputs_in_the_same_file_verify_it():
    res = rewrite_source(STRUCTURED + HOOK, "k.py", check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert [v.function for v in res.verdicts] == ["row_sums"]
    assert "paralift_inputs_row_sums" not in {p.name for p in res.plans}  # test code is not rewritten


def test_inputs_from_conftest_and_from_the_option(tmp_path):
    kernel = tmp_path / "k.py"
    kernel.write_text(STRUCTURED)
    (tmp_path / "conftest.py").write_text("import numpy as np\n" + HOOK)
    res = rewrite_source(STRUCTURED, str(kernel), check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    (tmp_path / "conftest.py").unlink()
    given = tmp_path / "cases.py"
    given.write_text("import numpy as np\n" + HOOK.replace("paralift_inputs_row_sums()", "cases(kernel)"))
    res = rewrite_source(STRUCTURED, str(kernel), check=True, options=TesterOptions(inputs=f"{given}:cases"))
    assert not res.refused, [v.summary() for v in res.refused]


def test_a_hook_that_raises_is_a_clear_refusal():
    broken = STRUCTURED + "\n\ndef paralift_inputs_row_sums():\n    raise RuntimeError('no data here')\n"
    [v] = rewrite_source(broken, "k.py", check=True).refused
    assert "paralift_inputs_row_sums raised RuntimeError: no data here" in v.message


def test_annotations_say_what_to_generate():
    roles = {s.name: s for s in signature(next(k for k in parse('''import numpy as np
import numpy.typing as npt
from jaxtyping import Float64, Int
def f(a: npt.NDArray[np.float64], idx: Int[np.ndarray, "n"], img: Float64[np.ndarray, "h w c"],
      scale: float, n: int, w):
    for i in range(n):
        a[i] = img[idx[i], 0, 0] * scale + w
''', "k.py").kernels if k.name == "f"))}
    assert (roles["a"].role, roles["a"].floating) == ("array", True)
    assert (roles["idx"].role, roles["idx"].rank, roles["idx"].index) == ("array", 1, True)
    assert (roles["img"].role, roles["img"].rank) == ("array", 3)
    assert (roles["scale"].role, roles["scale"].integer) == ("value", False)
    assert (roles["n"].role, roles["n"].integer) == ("size", True)
    assert roles["w"].integer is None


def test_an_int_annotation_makes_integer_values():
    from paralift.verify import inputs
    from paralift.verify.signature import ParamSpec
    for seed in range(9):
        [v] = inputs.build((ParamSpec("k", "value", integer=True),), {"": 3}, 3, seed).args
        assert type(v) is int
        [f] = inputs.build((ParamSpec("x", "value", integer=False),), {"": 3}, 3, seed).args
        assert type(f) is float
