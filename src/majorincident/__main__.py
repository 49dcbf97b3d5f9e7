"""``python -m majorincident``: the command line."""

import sys

from majorincident.cli import main

if __name__ == "__main__":
    sys.exit(main())
