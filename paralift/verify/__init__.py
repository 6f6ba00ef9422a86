"""The tester: runs a candidate against the original on generated inputs (threads, CUDA
blocks, MPI ranks), with race checks and coverage, inside a sandbox for foreign code."""
