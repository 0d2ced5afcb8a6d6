"""``python -m govsim``: the same as the ``govsim`` command."""

from govsim.cli import main

raise SystemExit(main())
