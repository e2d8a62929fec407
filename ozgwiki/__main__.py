"""``python -m ozgwiki`` runs the same CLI as the ``ozgwiki`` entry point."""

import sys

from ozgwiki.cli import main

sys.exit(main())
