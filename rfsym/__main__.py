"""``python -m rfsym``: the command-line interface."""

import sys

from rfsym.cli import main

sys.exit(main())
