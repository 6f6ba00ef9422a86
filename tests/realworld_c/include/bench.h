/* A benchmark suite's common header, in the style of PolyBench/C: the element type, its
 * literals and math functions, and the problem sizes are macros; arrays are declared
 * through macros too. */
#ifndef BENCH_H
#define BENCH_H

#include <math.h>
#include <stddef.h>

#if defined(BENCH_FLOAT)
#  define DATA_TYPE float
#  define SCALAR_VAL(x) x##f
#  define SQRT_FUN(x) sqrtf(x)
#  define EXP_FUN(x) expf(x)
#else
#  define DATA_TYPE double
#  define SCALAR_VAL(x) x
#  define SQRT_FUN(x) sqrt(x)
#  define EXP_FUN(x) exp(x)
#endif

#if !defined(N)
#  define N 120
#endif
#ifndef M
#  define M 100
#endif
#define TSTEPS 20

#define ARRAY_1D(var, d1) var[d1]
#define ARRAY_2D(var, d1, d2) var[d1][d2]
#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))

void *bench_alloc(size_t n, size_t size);
void bench_timer_start(void);
void bench_timer_stop(void);
extern double bench_t_start, bench_t_end;

#endif
