"""Analysis passes over the IR, ending in a verdict per loop (`verdict.py`)."""
