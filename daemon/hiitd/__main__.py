"""``python -m hiitd``."""

import sys

from hiitd.cli.main import main

sys.exit(main())
