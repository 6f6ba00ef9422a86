"""Respelled updates that share a line with other statements, or carry a comment."""
import numpy as np

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


def packed(a, out):
    k = 0
    _lo1, _hi1 = _paralift_block(a.shape[0], MPI.COMM_WORLD)
    k_start1 = k
    for i in range(_lo1, _hi1):
        k = k_start1 + 2 * i
        out[i] = a[i] * k; k = k_start1 + 2 * (i + 1)  # the induction update is the second statement
    _paralift_gather_rows(out, 0, _lo1, _hi1, MPI.COMM_WORLD)
    k = k_start1 + 2 * (a.shape[0])
    return k


def summed(a):
    s = 0.0
    _lo2, _hi2 = _paralift_block(a.shape[0], MPI.COMM_WORLD)
    if MPI.COMM_WORLD.Get_rank() != 0:
        s = 0
    for i in range(_lo2, _hi2):
        x = a[i] * 2.0; s += x  # the reduction is the second statement
    s = MPI.COMM_WORLD.allreduce(s, op=MPI.SUM)
    return s


def counted(a):
    hits = 0
    _lo3, _hi3 = _paralift_block(a.shape[0], MPI.COMM_WORLD)
    if MPI.COMM_WORLD.Get_rank() != 0:
        hits = 0
    for i in range(_lo3, _hi3):
        if a[i] > 0.5: hits += 1  # noqa: E701
    hits = MPI.COMM_WORLD.allreduce(hits, op=MPI.SUM)
    return hits
