"""Settings every test shares."""
import os

# tiles are sized for the cache (passes/cost.py): the same size on every machine, so that
# golden files and verdicts do not depend on where the tests run
os.environ.setdefault("PARALIFT_CACHE_SIZE", "2M")
