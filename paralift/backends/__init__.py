"""Backends: a kernel's verdicts -> parallel code for one target and language (Numba,
OpenMP, CUDA and MPI, for Python and C). `targets.py` says which one serves what."""
