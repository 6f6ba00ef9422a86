/* Scatters through pointers with no known extent: updates that `#pragma omp atomic` makes
 * safe. */
#include <stddef.h>

void histogram(int n, const int *keys, int *hist) {
    for (int i = 0; i < n; i++)  // expect: reduction
        hist[keys[i]] += 1;
}

void scatter_add(int n, const int *index, const double *values, double *out) {
    for (int i = 0; i < n; i++)  // expect: reduction
        out[index[i]] += values[i];
}

void degree_count(int m, const int *src, const int *dst, int *degree) {
    for (int e = 0; e < m; e++) {  // expect: reduction
        degree[src[e]] += 1;
        degree[dst[e]] += 1;
    }
}
