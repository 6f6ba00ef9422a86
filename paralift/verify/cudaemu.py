"""CUDA C as plain C++: a small runtime (`cudaMalloc` with guard zones that `cudaFree`
checks, `cudaMemcpy`, the error calls, CUDA's own overloads of the atomics) and launches
run as loops over blocks and threads, or, threaded, one thread per CUDA thread for
ThreadSanitizer. The CUDA C tester and `tsan.cuda_races` both build on it.
"""
from __future__ import annotations

import re

EMULATION = r'''
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <math.h>

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
#ifndef PL_EMU_THREAD_LOCAL
#define PL_EMU_THREAD_LOCAL
#define PL_EMU_ATOMIC
#endif
static PL_EMU_THREAD_LOCAL dim3 threadIdx, blockIdx;
static dim3 blockDim, gridDim;
#define __global__
#define __device__
#define __host__

typedef int cudaError_t;
enum { cudaSuccess = 0, cudaErrorIllegalAddress = 700 };
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice };
static const char *cudaGetErrorString(cudaError_t e) {
    return e == cudaErrorIllegalAddress ? "a kernel wrote outside a device allocation" : "emulated CUDA error";
}

#define PL_EMU_GUARD 256
static cudaError_t cudaMalloc(void **p, size_t n) {
    unsigned char *b = (unsigned char *)malloc(n + 2 * PL_EMU_GUARD + sizeof(size_t));
    if (!b) return 2;
    memcpy(b, &n, sizeof n);
    memset(b + sizeof n, 0xA5, PL_EMU_GUARD);
    memset(b + sizeof n + PL_EMU_GUARD, 0x5A, n);  /* garbage, as cudaMalloc leaves it */
    memset(b + sizeof n + PL_EMU_GUARD + n, 0xA5, PL_EMU_GUARD);
    *p = b + sizeof n + PL_EMU_GUARD;
    return cudaSuccess;
}
static cudaError_t cudaFree(void *p) {
    unsigned char *b = (unsigned char *)p - PL_EMU_GUARD - sizeof(size_t);
    size_t n;
    memcpy(&n, b, sizeof n);
    for (size_t k = 0; k < PL_EMU_GUARD; k++)
        if (b[sizeof n + k] != 0xA5 || b[sizeof n + PL_EMU_GUARD + n + k] != 0xA5) {
            free(b);
            return cudaErrorIllegalAddress;
        }
    free(b);
    return cudaSuccess;
}
static cudaError_t cudaMemcpy(void *d, const void *s, size_t n, cudaMemcpyKind) {
    memmove(d, s, n);
    return cudaSuccess;
}
static cudaError_t cudaGetLastError(void) { return cudaSuccess; }
static cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }

/* CUDA's atomics, with CUDA's overloads only. */
static int atomicAdd(int *p, int v) { PL_EMU_ATOMIC int o = *p; *p += v; return o; }
static unsigned atomicAdd(unsigned *p, unsigned v) { PL_EMU_ATOMIC unsigned o = *p; *p += v; return o; }
static unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) { PL_EMU_ATOMIC unsigned long long o = *p; *p += v; return o; }
static float atomicAdd(float *p, float v) { PL_EMU_ATOMIC float o = *p; *p += v; return o; }
static double atomicAdd(double *p, double v) { PL_EMU_ATOMIC double o = *p; *p += v; return o; }
static int atomicMax(int *p, int v) { PL_EMU_ATOMIC int o = *p; if (v > o) *p = v; return o; }
static int atomicMin(int *p, int v) { PL_EMU_ATOMIC int o = *p; if (v < o) *p = v; return o; }
static unsigned long long atomicCAS(unsigned long long *p, unsigned long long c, unsigned long long v) {
    PL_EMU_ATOMIC unsigned long long o = *p; if (o == c) *p = v; return o;
}
static long long __double_as_longlong(double x) { long long r; memcpy(&r, &x, sizeof r); return r; }
static double __longlong_as_double(long long x) { double r; memcpy(&r, &x, sizeof r); return r; }

#ifdef PL_EMU_REVERSE
#define PL_EMU_FOR(v, n) for (long v = (long)(n) - 1; v >= 0; v--)
#else
#define PL_EMU_FOR(v, n) for (long v = 0; v < (long)(n); v++)
#endif
#ifndef PL_EMU_LAUNCH /* the threaded emulation (THREADED) defines its own */
#define PL_EMU_LAUNCH(kernel, grid, block, ...)                                          \
    do {                                                                                  \
        gridDim = (grid); blockDim = (block);                                             \
        PL_EMU_FOR(bz, gridDim.z) PL_EMU_FOR(by, gridDim.y) PL_EMU_FOR(bx, gridDim.x)    \
        PL_EMU_FOR(tz, blockDim.z) PL_EMU_FOR(ty, blockDim.y) PL_EMU_FOR(tx, blockDim.x) { \
            blockIdx = dim3(bx, by, bz); threadIdx = dim3(tx, ty, tz);                    \
            kernel(__VA_ARGS__);                                                          \
        }                                                                                 \
    } while (0)
#endif
'''

_LAUNCH = re.compile(r"(\b[A-Za-z_]\w*)\s*<<<\s*([^,>]+?)\s*,\s*([^>]+?)\s*>>>\s*\(")


THREADED = r'''
#include <mutex>
#include <thread>
#include <vector>
/* Every CUDA thread of a launch is a real thread, for ThreadSanitizer; atomics take one
   lock, which orders them with each other and with nothing else. */
#define PL_EMU_THREAD_LOCAL thread_local
static std::mutex pl_emu_atomic;
#define PL_EMU_ATOMIC std::lock_guard<std::mutex> pl_emu_guard(pl_emu_atomic);
#define PL_EMU_LAUNCH(kernel, grid, block, ...)                                          \
    do {                                                                                  \
        gridDim = (grid); blockDim = (block);                                             \
        std::vector<std::thread> pl_emu_threads;                                          \
        for (unsigned bz = 0; bz < gridDim.z; bz++) for (unsigned by = 0; by < gridDim.y; by++) \
        for (unsigned bx = 0; bx < gridDim.x; bx++) for (unsigned tz = 0; tz < blockDim.z; tz++) \
        for (unsigned ty = 0; ty < blockDim.y; ty++) for (unsigned tx = 0; tx < blockDim.x; tx++) \
            pl_emu_threads.emplace_back([=] {                                             \
                blockIdx = dim3(bx, by, bz); threadIdx = dim3(tx, ty, tz);                \
                kernel(__VA_ARGS__);                                                      \
            });                                                                           \
        for (auto &t : pl_emu_threads) t.join();                                          \
    } while (0)
'''


def emulated(candidate: str, threaded: bool = False) -> str:
    """The candidate as plain C++ for the emulation: launches become macro calls. Threaded,
    each CUDA thread runs on its own thread (for ThreadSanitizer, `tsan.cuda_races`)."""
    text = candidate.replace("#include <cuda_runtime.h>", "")
    text = _LAUNCH.sub(lambda m: f"PL_EMU_LAUNCH({m.group(1)}, {m.group(2)}, {m.group(3)}, ", text)
    return (THREADED if threaded else "") + EMULATION + text
