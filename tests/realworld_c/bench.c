/* The suite's runtime: a second translation unit the kernels' programs link with. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "bench.h"

double bench_t_start, bench_t_end;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

void *bench_alloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

void bench_timer_start(void) { bench_t_start = now(); }

void bench_timer_stop(void) {
    bench_t_end = now();
    printf("%0.6f\n", bench_t_end - bench_t_start);
}
