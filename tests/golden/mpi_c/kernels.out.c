/* Kernels for the CUDA C and MPI C backends. */
#include <math.h>

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#ifndef PL_MAX
#define PL_MAX(a, b) ((a) > (b) ? (a) : (b))
#define PL_MIN(a, b) ((a) < (b) ? (a) : (b))
/* The least and largest entry of an index array b[lo..hi]. */
#define PL_MIN_OF(b, lo, hi) ({ long pl_m = (long)(b)[lo]; for (long pl_s = (lo); pl_s <= (hi); pl_s++) \
                                    pl_m = PL_MIN(pl_m, (long)(b)[pl_s]); pl_m; })
#define PL_MAX_OF(b, lo, hi) ({ long pl_m = (long)(b)[lo]; for (long pl_s = (lo); pl_s <= (hi); pl_s++) \
                                    pl_m = PL_MAX(pl_m, (long)(b)[pl_s]); pl_m; })
#endif

/* A copy of `bytes` bytes of `a`, to find what this rank's iterations change. */
static unsigned char *pl_snapshot(const void *a, long bytes) {
    unsigned char *copy = malloc(bytes > 0 ? bytes : 1);
    memcpy(copy, a, bytes > 0 ? bytes : 0);
    return copy;
}

/* Every rank gets the elements any rank wrote. The iterations of a parallel loop write
   disjoint elements, so XOR-ing every rank's changed bits into the old ones is exact. */
static void pl_merge(void *a, unsigned char *before, long bytes) {
    unsigned char *p = a, *diff = malloc(bytes > 0 ? bytes : 1);
    for (long k = 0; k < bytes; k++) diff[k] = before[k] ^ p[k];  /* this rank's changes */
    if (bytes > 0)
        MPI_Allreduce(MPI_IN_PLACE, diff, (int)bytes, MPI_BYTE, MPI_BXOR, MPI_COMM_WORLD);
    for (long k = 0; k < bytes; k++) p[k] = before[k] ^ diff[k];
    free(diff);
    free(before);
}

/* [lo, hi) of n iterations owned by `rank` of `size`; earlier ranks take one more. */
static void pl_block(long n, int rank, int size, long *lo, long *hi) {
    long base = n > 0 ? n / size : 0, extra = n > 0 ? n % size : 0;
    *lo = rank * base + (rank < extra ? rank : extra);
    *hi = *lo + base + (rank < extra ? 1 : 0);
}

/* Every rank gets rows [first + lo_r, first + hi_r) of `base` from the rank r owning them. */
static void pl_gather_rows(void *base, long first, long n, long row, MPI_Datatype type) {
    int size, rank, extent;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Type_size(type, &extent);
    int counts[size], displs[size];
    for (int r = 0; r < size; r++) {
        long lo, hi;
        pl_block(n, r, size, &lo, &hi);
        counts[r] = (int)((hi - lo) * row);
        displs[r] = (int)(lo * row);
    }
    if (n > 0)
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, (char *)base + first * row * extent, counts,
                       displs, type, MPI_COMM_WORLD);
}

/* The rows of `owner`'s block that `reader` reads just before (half 0) or after (half 1)
   its own block: [*s, *e), empty when none. */
static void pl_wanted(long n, long first, long below, long above, int half, int reader, int owner,
                      int size, long *s, long *e) {
    long rlo, rhi, olo, ohi;
    *s = *e = 0;
    if (reader < 0 || reader >= size || owner < 0 || owner >= size) return;
    pl_block(n, reader, size, &rlo, &rhi);
    pl_block(n, owner, size, &olo, &ohi);
    if (rhi <= rlo) return;
    long a = half ? first + rhi : first + rlo - below, b = half ? first + rhi + above : first + rlo;
    if (a < first + olo) a = first + olo;
    if (b > first + ohi) b = first + ohi;
    if (a < b) { *s = a; *e = b; }
}

/* Halo exchange: the rows within `below` before and `above` after this rank's block of rows
   [first + lo, first + hi) come from the ranks that own them (`MPI_Sendrecv`, by distance). */
static void pl_halo(void *base, long first, long n, long row, long below, long above, MPI_Datatype type) {
    int size, rank, extent;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Type_size(type, &extent);
    char *p = base;
    for (int k = 1; k < size; k++) {
        int traffic = 0;  /* the same answer on every rank */
        for (int r = 0; r + k < size && !traffic; r++)
            for (int half = 0; half < 2; half++) {
                long s, e, s2, e2;
                pl_wanted(n, first, below, above, half, r + k, r, size, &s, &e);
                pl_wanted(n, first, below, above, half, r, r + k, size, &s2, &e2);
                traffic |= e > s || e2 > s2;
            }
        if (!traffic) continue;
        for (int dir = 0; dir < 2; dir++)
            for (int half = 0; half < 2; half++) {
                int dest = dir ? rank - k : rank + k, src = dir ? rank + k : rank - k;
                long s, e, rs, re;
                pl_wanted(n, first, below, above, half, dest, rank, size, &s, &e);
                pl_wanted(n, first, below, above, half, rank, src, size, &rs, &re);
                MPI_Sendrecv(p + s * row * extent, (int)((e - s) * row), type,
                             dest >= 0 && dest < size ? dest : MPI_PROC_NULL, 0,
                             p + rs * row * extent, (int)((re - rs) * row), type,
                             src >= 0 && src < size ? src : MPI_PROC_NULL, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            }
    }
}


#define SQR(x) ((x) * (x))

void saxpy(int n, double alpha, const double *x, double *y) {
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++)
            y[i] = alpha * x[i] + y[i];
        pl_gather_rows(y, (0), (long)(n) - (0), 1, MPI_DOUBLE);
    }
}

double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        if (pl_rank1 != 0) s = 0;
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++)
            s += a[i] * b[i];
        MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
    return s;
}

double largest(int n, const double *a) {
    double m = a[0];
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (1), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        for (int i = (1) + pl_lo1; i < (1) + pl_hi1; i++)
            m = fmax(m, a[i]);
        MPI_Allreduce(MPI_IN_PLACE, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    }
    return m;
}

void matvec(int n, int m, const double A[n][m], const double x[m], double y[n]) {
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++) {
            double acc = 0.0;
            for (int j = 0; j < m; j++)
                acc += A[i][j] * x[j];
            y[i] = acc;
        }
        pl_gather_rows(y, (0), (long)(n) - (0), 1, MPI_DOUBLE);
    }
}

void jacobi_2d(int steps, int n, double a[n][n], double b[n][n]) {
    for (int t = 0; t < steps; t++) {
        {
            int pl_rank1, pl_size1;
            long pl_lo1, pl_hi1;
            MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
            MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
            pl_block((long)(n - 1) - (1), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
            pl_halo(a, (1), (long)(n - 1) - (1), (n), 1, 1, MPI_DOUBLE);
            for (int i = (1) + pl_lo1; i < (1) + pl_hi1; i++)
                for (int j = 1; j < n - 1; j++)
                    b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][j + 1] + a[i + 1][j] + a[i - 1][j]);
        }
        {
            int pl_rank2, pl_size2;
            long pl_lo2, pl_hi2;
            MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank2);
            MPI_Comm_size(MPI_COMM_WORLD, &pl_size2);
            pl_block((long)(n - 1) - (1), pl_rank2, pl_size2, &pl_lo2, &pl_hi2);
            for (int i = (1) + pl_lo2; i < (1) + pl_hi2; i++)
                for (int j = 1; j < n - 1; j++)
                    a[i][j] = b[i][j];
        }
    }
    pl_gather_rows(a, (1), (long)(n - 1) - (1), (n), MPI_DOUBLE);
    pl_gather_rows(b, (1), (long)(n - 1) - (1), (n), MPI_DOUBLE);
}

void column_sums(int n, int m, const double a[n][m], double out[m]) {
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        if (pl_rank1 != 0)
            for (long pl_k = 0; pl_k < (m); pl_k++) ((double *)(void *)out)[pl_k] = 0;
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++)
            for (int j = 0; j < m; j++)
                out[j] += SQR(a[i][j]);
        MPI_Allreduce(MPI_IN_PLACE, out, (int)((m)), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
}

void positive_roots(int n, double *x) {
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++) {
            if (x[i] < 0)
                continue;
            x[i] = sqrt(x[i]);
        }
        pl_gather_rows(x, (0), (long)(n) - (0), 1, MPI_DOUBLE);
    }
}

void histogram(int n, const int *keys, int *hist) {
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        if (pl_rank1 != 0)
            for (long pl_k = 0; pl_k < ((n) > (0) ? 1 + PL_MAX_OF(keys, 0 + PL_MIN((1) * (0), (1) * ((n) - 1)), 0 + PL_MAX((1) * (0), (1) * ((n) - 1))) + 0 : 0); pl_k++) ((int *)(void *)hist)[pl_k] = 0;
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++)
            hist[keys[i]] += 1;
        MPI_Allreduce(MPI_IN_PLACE, hist, (int)(((n) > (0) ? 1 + PL_MAX_OF(keys, 0 + PL_MIN((1) * (0), (1) * ((n) - 1)), 0 + PL_MAX((1) * (0), (1) * ((n) - 1))) + 0 : 0)), MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    }
}

void even_from_odd(int n, double *a) {
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block(((long)(n - 1) > (0) ? ((long)(n - 1) - (0) + 1) / 2 : 0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        unsigned char *pl_before_a1 = pl_snapshot(a, (PL_MAX(((n - 1) > (0) ? 1 + 0 + PL_MAX((1) * (0), (1) * ((0) + 2 * (((n - 1) - (0) - 1) / 2))) : 0), ((n - 1) > (0) ? 1 + 1 + PL_MAX((1) * (0), (1) * ((0) + 2 * (((n - 1) - (0) - 1) / 2))) : 0))) * sizeof(double));
        for (int i = (0) + 2 * pl_lo1; i < (0) + 2 * pl_hi1; i += 2)
            a[i] = a[i + 1] * 0.5;
        pl_merge(a, pl_before_a1, (PL_MAX(((n - 1) > (0) ? 1 + 0 + PL_MAX((1) * (0), (1) * ((0) + 2 * (((n - 1) - (0) - 1) / 2))) : 0), ((n - 1) > (0) ? 1 + 1 + PL_MAX((1) * (0), (1) * ((0) + 2 * (((n - 1) - (0) - 1) / 2))) : 0))) * sizeof(double));
    }
}

void rows_times_cols(const float *a, const float *b, float *c, const int rows, const int cols) {
    int r, k;
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(rows) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        unsigned char *pl_before_c1 = pl_snapshot(c, (((rows) > (0) && (cols) > (0) ? 1 + 0 + PL_MAX((1 * cols) * (0), (1 * cols) * ((rows) - 1)) + PL_MAX((1) * (0), (1) * ((cols) - 1)) : 0)) * sizeof(float));
        for (r = (0) + pl_lo1; r < (0) + pl_hi1; r++)
            for (k = 0; k < cols; k++)
                c[r * cols + k] = a[r * cols + k] * b[k];
        pl_merge(c, pl_before_c1, (((rows) > (0) && (cols) > (0) ? 1 + 0 + PL_MAX((1 * cols) * (0), (1 * cols) * ((rows) - 1)) + PL_MAX((1) * (0), (1) * ((cols) - 1)) : 0)) * sizeof(float));
    }
}

void trisolv(int n, double L[n][n], double x[n], double b[n]) {
    for (int i = 0; i < n; i++) {
        x[i] = b[i];
        {
            int pl_rank1, pl_size1;
            long pl_lo1, pl_hi1;
            MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
            MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
            pl_block((long)(i) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
            if (pl_rank1 != 0) x[i] = 0;
            for (int j = (0) + pl_lo1; j < (0) + pl_hi1; j++)
                x[i] -= L[i][j] * x[j];
            MPI_Allreduce(MPI_IN_PLACE, &x[i], 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        }
        x[i] = x[i] / L[i][i];
    }
}

void induction_variable(int n, const double *a, double *b) {
    int k = 0;
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        __typeof__(k) pl_k_start1 = k;
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++) { k = pl_k_start1 + (i - (0));
            b[k] = a[i];
            k = pl_k_start1 + ((i - (0)) + 1);
        }
        pl_gather_rows(b, pl_k_start1, (long)(n) - (0), 1, MPI_DOUBLE);
        k = pl_k_start1 + ((long)(n) - (0));
    }
}

void pointer_walk(int n, const double *a, double *b) {
    const double *p = a;
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        __typeof__(p) pl_p_start1 = p;
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++) { p = pl_p_start1 + (i - (0));
            b[i] = *p * 2.0;
            p = pl_p_start1 + ((i - (0)) + 1);
        }
        pl_gather_rows(b, (0), (long)(n) - (0), 1, MPI_DOUBLE);
        p = pl_p_start1 + ((long)(n) - (0));
    }
}

double last_value(int n, const double *a, double *b) {
    double t = -1.0;
    {
        int pl_rank1, pl_size1;
        long pl_lo1, pl_hi1;
        MPI_Comm_rank(MPI_COMM_WORLD, &pl_rank1);
        MPI_Comm_size(MPI_COMM_WORLD, &pl_size1);
        pl_block((long)(n) - (0), pl_rank1, pl_size1, &pl_lo1, &pl_hi1);
        for (int i = (0) + pl_lo1; i < (0) + pl_hi1; i++) {
            t = a[i] * 2.0;
            b[i] = t + 1.0;
        }
        pl_gather_rows(b, (0), (long)(n) - (0), 1, MPI_DOUBLE);
        if ((long)(n) - (0) > 0) {
            int pl_owner = (int)(pl_size1 < (long)(n) - (0) ? pl_size1 : (long)(n) - (0)) - 1;
            MPI_Bcast(&t, 1, MPI_DOUBLE, pl_owner, MPI_COMM_WORLD);
        }
    }
    return t;
}
