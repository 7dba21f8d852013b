"""`python -m segtui`: the `segtui` command (segtui/cli.py, `main`)."""

import gc

gc.disable()  # while the command line is imported too (cli.pause_collector)

from segtui.cli import main  # noqa: E402

main()
