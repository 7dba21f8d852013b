"""C19.7: the load script runs as documented (a short run, so it doesn't rot): users at
once on one PostgreSQL database, no error, no lost update, every operation timed."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import _drop_pg_database, _pg_database

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "load_users.py"


@pytest.fixture
def pg_demo_url(pg_admin: Engine, pg_demo_template: str) -> Iterator[str]:
    url = _pg_database(pg_admin, template=pg_demo_template)
    yield url.render_as_string(hide_password=False)
    _drop_pg_database(pg_admin, url)


def test_three_users_for_two_seconds(pg_demo_url: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("load_users", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "load_users", script)  # its dataclasses look it up
    spec.loader.exec_module(script)
    monkeypatch.setattr(sys, "argv", ["load_users.py", "--db", pg_demo_url, "--users", "3",
                                      "--seconds", "2"])
    script.main()  # exits 1 on an error or a lost update
    out = capsys.readouterr().out
    assert "errors: 0" in out and "lost updates: 0" in out
    assert "read dashboard" in out
