"""``python -m promorules``: the command line."""

from .cli import main

raise SystemExit(main())
