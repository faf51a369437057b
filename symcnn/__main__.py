"""``python -m symcnn``: the command line, as ``symcnn``."""

from .cli import main

raise SystemExit(main())
