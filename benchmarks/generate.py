"""A generated Python file with many loop nests, for throughput benchmarks."""
from __future__ import annotations

TEMPLATES = [
    # (source with {n} for a unique suffix, number of loops)
    ("def add{n}(a, b, c, n):\n    for i in range(n):\n        c[i] = a[i] + b[i] * {n}\n", 1),
    ("def scan{n}(a, n):\n    for i in range(1, n):\n        a[i] = a[i - 1] + {n}\n", 1),
    ("def dot{n}(a, b, n):\n    s = 0.0\n    for i in range(n):\n        s += a[i] * b[i]\n    return s\n", 1),
    ("def mm{n}(A, B, C, n, m, p):\n    for i in range(n):\n        for j in range(m):\n"
     "            acc = 0.0\n            for k in range(p):\n                acc += A[i, k] * B[k, j]\n"
     "            C[i, j] = acc\n", 3),
    ("def jac{n}(a, b, n, steps):\n    for t in range(steps):\n        for i in range(1, n - 1):\n"
     "            for j in range(1, n - 1):\n"
     "                b[i, j] = 0.2 * (a[i, j] + a[i, j - 1] + a[i, j + 1] + a[i + 1, j] + a[i - 1, j])\n"
     "        for i in range(1, n - 1):\n            for j in range(1, n - 1):\n"
     "                a[i, j] = b[i, j]\n", 5),
    ("def tri{n}(L, x, b, n):\n    for i in range(n):\n        x[i] = b[i]\n"
     "        for j in range(i):\n            x[i] -= L[i, j] * x[j]\n        x[i] = x[i] / L[i, i]\n", 2),
    ("def flat{n}(a, b, n, m):\n    for i in range(n):\n        for j in range(m):\n"
     "            b[i * m + j] = a[i * m + j] * {n}.0\n", 2),
]


def generate(nests: int) -> tuple[str, int]:
    """(source, number of loops) with `nests` top-level loop nests."""
    parts, loops = [], 0
    for n in range(nests):
        text, count = TEMPLATES[n % len(TEMPLATES)]
        parts.append(text.format(n=n))
        loops += count
    return "\n\n".join(parts), loops
