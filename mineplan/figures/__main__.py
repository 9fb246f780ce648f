"""``python -m mineplan.figures make-font``: make the figures' CJK font at set-up.

See :mod:`mineplan.figures.fonts`.
"""

import sys

from mineplan.figures.fonts import main

if __name__ == "__main__":
    sys.exit(main())
