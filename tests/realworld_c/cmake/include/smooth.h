#ifndef SMOOTH_H
#define SMOOTH_H
#ifdef SMOOTH_SINGLE
typedef float real;
#define REAL_LIT(x) x##f
#else
#define REAL_LIT(x) x
#endif
#ifndef SMOOTH_WEIGHT
#error "SMOOTH_WEIGHT must be defined by the build"
#endif
void smooth(int n, double *restrict out, const double *restrict in);
#endif
