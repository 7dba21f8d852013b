"""A1: the CLI's quick paths import no Textual (the layers' imports, module
by module: tests/test_layers.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["db", "--help"]])
def test_quick_cli_paths_do_not_import_textual(args: list[str]) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['segtui', *{args!r}]\n"
        "from segtui.cli import app\n"  # main() would end the process (end_process)
        "try:\n    app(prog_name='segtui')\nexcept SystemExit:\n    pass\n"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
