# What the check programs share. Each program is run as
# `python3 /path/to/checks/NAME.py ARGS...`, so this folder is first on
# sys.path and `from common import fail` finds this file.
import sys


def fail(message):
    """Prints the one line saying what is wrong and how to fix it; exits 1."""
    print(message)
    sys.exit(1)
