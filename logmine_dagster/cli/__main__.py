"""`python -m logmine_dagster.cli`: the same as the `logmine` command."""

import sys

from logmine_dagster.cli import main

sys.exit(main())
