"""``python -m gateway``: the ``conex-gateway`` command."""

from gateway.cli import main

raise SystemExit(main())
