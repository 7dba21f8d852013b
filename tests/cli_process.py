"""Running `segtui` in a fresh interpreter, to see which modules a command imports
(A1: the scripting commands must not import Textual; P12: a read
command loads only what it uses)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Ran:
    printed: list[str]  # the command's stdout lines
    exit_line: str  # "exit <code>"
    textual: str  # "True" or "False": whether Textual was imported
    modules: frozenset[str]  # every module imported by the time the command ended
    output: str  # everything, for assertion messages


def run_fresh(argv: list[str]) -> Ran:
    code = (
        "import json, sys\n"
        f"sys.argv = ['segtui', *{argv!r}]\n"
        "from segtui.cli import app\n"  # main() would end the process (end_process)
        "try:\n    app(prog_name='segtui')\nexcept SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "print('textual' in sys.modules)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    *printed, exit_line, textual, modules = out.stdout.strip().splitlines()
    return Ran(printed, exit_line, textual, frozenset(json.loads(modules)),
               out.stdout.removesuffix(modules + "\n") + out.stderr)
