"""``python -m hiitd``."""

import sys

from hiitd.cli import main

sys.exit(main())
