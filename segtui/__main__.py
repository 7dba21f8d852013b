"""`python -m segtui`: the `segtui` command (segtui/cli/__init__.py, `main`)."""

import gc

gc.disable()  # while the command line is imported too (cli.process.pause_collector)

from segtui.cli import main  # noqa: E402

main()
