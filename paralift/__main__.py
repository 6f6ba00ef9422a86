"""`python -m paralift ...` is `paralift ...`."""
import sys

from paralift.cli import main

sys.exit(main())
