/* Kernels for the CUDA C and MPI C backends. */
#include <math.h>

#include <mpi.h>

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
            for (int i = (1) + pl_lo1; i < (1) + pl_hi1; i++)
                for (int j = 1; j < n - 1; j++)
                    b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][j + 1] + a[i + 1][j] + a[i - 1][j]);
            pl_gather_rows(b, (1), (long)(n - 1) - (1), (n), MPI_DOUBLE);
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
            pl_gather_rows(a, (1), (long)(n - 1) - (1), (n), MPI_DOUBLE);
        }
    }
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
    for (int i = 0; i < n; i++)
        hist[keys[i]] += 1;
}
