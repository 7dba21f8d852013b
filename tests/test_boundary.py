"""DESIGN.md "Layers": core and data never import Textual; the CLI's quick paths neither."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _imports_textual(code: str) -> bool:
    probe = f"{code}\nimport sys\nprint('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip().endswith("True")


def test_core_and_data_do_not_import_textual() -> None:
    assert not _imports_textual(
        "import segtui.core.records, segtui.core.metrics, segtui.core.export, "
        "segtui.core.csv_safe, segtui.core.text, segtui.core.clock\n"
        "import segtui.data.store, segtui.data.demo.build, segtui.data.models, "
        "segtui.data.file_transfer"
    )


def test_core_does_not_import_rich() -> None:
    probe = (
        "import segtui.core.records, segtui.core.metrics, segtui.core.export, "
        "segtui.core.csv_safe, segtui.core.text, segtui.core.clock, segtui.core.formatting, "
        "segtui.core.chart_scale\n"
        "import sys\nprint('rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


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
