"""``python -m mineplan.cli``: the same as the ``mineplan`` command."""

import sys

from mineplan.cli import main

if __name__ == "__main__":
    sys.exit(main())
