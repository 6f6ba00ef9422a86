"""Kernels for the MPI backend: rows owned by the loop index, scalar reductions, a stencil."""

from mpi4py import MPI
import numpy as np

_PARALIFT_SENT = {"halo": 0, "gather": 0}  # bytes this rank handed to MPI, by kind


def _paralift_block(n, comm):
    """[lo, hi) of n iterations owned by this rank; earlier ranks take one more."""
    size, rank = comm.Get_size(), comm.Get_rank()
    n = max(n, 0)
    base, extra = divmod(n, size)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def _paralift_gather_rows(a, first, lo, hi, comm, step=1):
    """Every rank gets rows first + step * [lo_r, hi_r) of `a` from the rank r that owns them."""
    counts = comm.allgather(hi - lo)
    row = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
    flat = a.reshape(a.shape[0], row)  # explicit: -1 cannot be inferred for an empty array
    mine = np.ascontiguousarray(flat[np.arange(first + step * lo, first + step * hi, step)])  # wraps as Python
    whole = np.empty((sum(counts), flat.shape[1]), dtype=a.dtype)
    comm.Allgatherv(mine, [whole, [c * row for c in counts]])
    flat[np.arange(first, first + step * whole.shape[0], step)] = whole  # rank 0's block starts the range
    if not np.shares_memory(flat, a):  # `a` was not contiguous: reshape made a copy
        a[...] = flat.reshape(a.shape)
    _PARALIFT_SENT["gather"] += mine.nbytes * (comm.Get_size() - 1)


def _paralift_merge(a, before, comm):
    """Every rank gets the elements any rank wrote. The iterations of a parallel loop write
    disjoint elements, so XOR-ing every rank's changed bits into the old ones is exact."""
    old = before.reshape(-1).view(np.uint8)
    diff = np.bitwise_xor(np.ascontiguousarray(a).reshape(-1).view(np.uint8), old)
    comm.Allreduce(MPI.IN_PLACE, diff, op=MPI.BXOR)
    a[...] = np.bitwise_xor(old, diff).view(a.dtype).reshape(a.shape)
    _PARALIFT_SENT["gather"] += diff.nbytes


def _paralift_last(value, n, comm):
    """The value the last of n iterations left, from the rank that ran it (earlier ranks
    take the larger blocks, so it is the last rank with any)."""
    owner = min(comm.Get_size(), n) - 1
    return comm.bcast(value() if comm.Get_rank() == owner else None, root=owner)


def _paralift_halo(a, first, n, below, above, comm):
    """Rows within `below` before and `above` after this rank's block of rows
    [first + lo, first + hi) come from the ranks that own them (`Sendrecv`, by distance)."""
    size, rank = comm.Get_size(), comm.Get_rank()
    flat = a.reshape(a.shape[0], int(np.prod(a.shape[1:])) if a.ndim > 1 else 1)
    n = max(n, 0)
    base, extra = divmod(n, size)
    owned = [(first + r * base + min(r, extra), first + r * base + min(r, extra) + base + (r < extra))
             for r in range(size)]

    def part(src, dst):  # the rows of src's block that dst reads, as (start, stop) ranges
        lo, hi = owned[dst]
        if hi <= lo or not 0 <= src < size:
            return []
        want = [(lo - below, lo), (hi, hi + above)]
        return [(max(a0, owned[src][0]), min(b0, owned[src][1])) for a0, b0 in want
                if max(a0, owned[src][0]) < min(b0, owned[src][1])]

    for k in range(1, size):
        if not any(part(r, r + k) or part(r + k, r) for r in range(size - k)):
            continue  # the same answer on every rank: no traffic at this distance
        for dest, src in ((rank + k, rank - k), (rank - k, rank + k)):
            send = part(rank, dest) if 0 <= dest < size else []
            recv = part(src, rank) if 0 <= src < size else []
            out = np.ascontiguousarray(np.concatenate([flat[x:y] for x, y in send] or [flat[:0]]))
            into = np.empty((sum(y - x for x, y in recv), flat.shape[1]), dtype=a.dtype)
            comm.Sendrecv(out, dest if 0 <= dest < size else MPI.PROC_NULL,
                          recvbuf=into, source=src if 0 <= src < size else MPI.PROC_NULL)
            at = 0
            for x, y in recv:
                flat[x:y] = into[at:at + y - x]
                at += y - x
            _PARALIFT_SENT["halo"] += out.nbytes
    if flat.size and not np.shares_memory(flat, a):  # `a` was not contiguous: reshape made a copy
        a[...] = flat.reshape(a.shape)


def saxpy(alpha, x, y, n):
    _lo1, _hi1 = _paralift_block(n, MPI.COMM_WORLD)
    for i in range(_lo1, _hi1):
        y[i] = alpha * x[i] + y[i]
    _paralift_gather_rows(y, 0, _lo1, _hi1, MPI.COMM_WORLD)


def dot(a, b, n):
    s = 0.0
    _lo2, _hi2 = _paralift_block(n, MPI.COMM_WORLD)
    if MPI.COMM_WORLD.Get_rank() != 0:
        s = 0
    for i in range(_lo2, _hi2):
        s += a[i] * b[i]
    s = MPI.COMM_WORLD.allreduce(s, op=MPI.SUM)
    return s


def largest(a, n):
    m = a[0]
    _lo3, _hi3 = _paralift_block((n) - (1), MPI.COMM_WORLD)
    for _t3 in range(_lo3, _hi3):
        i = 1 + _t3
        m = max(m, a[i])
    m = MPI.COMM_WORLD.allreduce(m, op=MPI.MAX)
    return m


def matvec(A, x, y, n, m):
    _lo4, _hi4 = _paralift_block(n, MPI.COMM_WORLD)
    for i in range(_lo4, _hi4):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * x[j]
        y[i] = acc
    _paralift_gather_rows(y, 0, _lo4, _hi4, MPI.COMM_WORLD)


def jacobi_1d(a, b, n, steps):
    for t in range(steps):
        _lo5, _hi5 = _paralift_block((n - 1) - (1), MPI.COMM_WORLD)
        _paralift_halo(a, 1, (n - 1) - (1), 1, 1, MPI.COMM_WORLD)
        for _t5 in range(_lo5, _hi5):
            i = 1 + _t5
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        _lo6, _hi6 = _paralift_block((n - 1) - (1), MPI.COMM_WORLD)
        for _t6 in range(_lo6, _hi6):
            i = 1 + _t6
            a[i] = b[i]
    _lo7, _hi7 = _paralift_block((n - 1) - (1), MPI.COMM_WORLD)
    _paralift_gather_rows(a, 1, _lo7, _hi7, MPI.COMM_WORLD)
    _paralift_gather_rows(b, 1, _lo7, _hi7, MPI.COMM_WORLD)


def histogram(keys, hist, n):
    _lo8, _hi8 = _paralift_block(n, MPI.COMM_WORLD)
    if MPI.COMM_WORLD.Get_rank() != 0:
        hist[...] = 0
    for i in range(_lo8, _hi8):
        hist[keys[i]] += 1
    MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, hist, op=MPI.SUM)


def packed(a, b, n):
    k = 0
    _lo9, _hi9 = _paralift_block(n, MPI.COMM_WORLD)
    k_start9 = k
    for i in range(_lo9, _hi9):
        k = k_start9 + i
        b[k] = a[i]
        k = k_start9 + (i + 1)
    _paralift_gather_rows(b, k_start9, _lo9, _hi9, MPI.COMM_WORLD)
    k = k_start9 + (n)
    return k


def strided(a, b, n):
    k = 3
    _lo10, _hi10 = _paralift_block(len(range(1, n, 2)), MPI.COMM_WORLD)
    k_start10 = k
    for _t10 in range(_lo10, _hi10):
        i = 1 + 2 * _t10
        k = k_start10 + -2 * _t10
        k = k_start10 + -2 * (_t10 + 1)
        b[i] = a[i] * k
    _paralift_gather_rows(b, 1, _lo10, _hi10, MPI.COMM_WORLD, 2)
    k = k_start10 + -2 * (len(range(1, n, 2)))
    return k


def last_value(a, b, n):
    t = -1.0
    _lo11, _hi11 = _paralift_block(n, MPI.COMM_WORLD)
    for i in range(_lo11, _hi11):
        t = a[i] * 2.0
        b[i] = t + 1.0
    _paralift_gather_rows(b, 0, _lo11, _hi11, MPI.COMM_WORLD)
    if (n) > 0:
        t = _paralift_last(lambda: t, n, MPI.COMM_WORLD)
    return t


def column_recurrence(a, n, m):
    for i in range(1, n):
        _lo12, _hi12 = _paralift_block(m, MPI.COMM_WORLD)
        _before_a12 = np.array(a, copy=True)
        for j in range(_lo12, _hi12):
            a[i, j] = a[i - 1, j] + a[i, j]
        _paralift_merge(a, _before_a12, MPI.COMM_WORLD)


def flattened(a, b, n, m):
    _lo13, _hi13 = _paralift_block(n, MPI.COMM_WORLD)
    _before_b13 = np.array(b, copy=True)
    for i in range(_lo13, _hi13):
        for j in range(m):
            b[i * m + j] = a[i * m + j] * 2.0
    _paralift_merge(b, _before_b13, MPI.COMM_WORLD)


def doubled(a, b):
    _lo14, _hi14 = _paralift_block(len(a), MPI.COMM_WORLD)
    for i in range(_lo14, _hi14):
        v = a[i]
        b[i] = v * 2.0
    _paralift_gather_rows(b, 0, _lo14, _hi14, MPI.COMM_WORLD)
