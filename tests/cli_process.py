"""Running `segtui` in a fresh interpreter, to see which modules a command imports
(DESIGN.md "Layers": the scripting commands must not import Textual)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Ran:
    printed: list[str]  # the command's stdout lines
    exit_line: str  # "exit <code>"
    textual: str  # "True" or "False": whether Textual was imported
    output: str  # everything, for assertion messages


def run_fresh(argv: list[str]) -> Ran:
    code = (
        "import sys\n"
        f"sys.argv = ['segtui', *{argv!r}]\n"
        "from segtui.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    *printed, exit_line, textual = out.stdout.strip().splitlines()
    return Ran(printed, exit_line, textual, out.stdout + out.stderr)
