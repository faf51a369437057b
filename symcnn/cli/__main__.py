"""``python -m symcnn.cli``: the same as the ``symcnn`` command."""

import sys

from . import main

sys.exit(main())
