"""``python -m mineplan.cli``: the same as the ``mineplan`` command."""

import sys

from mineplan.cli import main

sys.exit(main())
