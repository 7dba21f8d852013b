"""C19.4.6 and C19.4.7 on the command line, both engines: `segtui segments archive`,
`restore` and `list --archived`; `segtui audit -o FILE` (CSV or JSON Lines)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.test_cli_script import db, ok_json, opened, run  # noqa: F401 (db: a fixture)

ADMIN, MANAGER, VIEWER = "James Carter", "Sarah Mitchell", "Alex Kim"
INACTIVE = "Inactive Subscribers"


@pytest.fixture(autouse=True)
def no_user_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGTUI_USER", raising=False)


def names(db: str, *options: str) -> list[str]:  # noqa: F811
    return [s["name"] for s in ok_json(run(db, "segments", "list", "--json", *options))]


def test_archive_and_restore_a_segment(db: str) -> None:  # noqa: F811
    archived = run(db, "segments", "archive", INACTIVE.lower(), user=MANAGER)
    assert archived.exit_code == 0, archived.output
    assert "Archived segment 'Inactive Subscribers'" in archived.stdout
    assert "segtui segments restore" in archived.stdout
    assert INACTIVE not in names(db) and names(db, "--archived") == [INACTIVE]
    again = run(db, "segments", "archive", INACTIVE, user=MANAGER)
    assert again.exit_code == 1 and "“Inactive Subscribers” is already archived." in \
        again.stderr
    restored = ok_json(run(db, "segments", "restore", INACTIVE, "--json", user=MANAGER))
    assert restored == {"id": restored["id"], "name": INACTIVE, "archived": False}
    assert INACTIVE in names(db) and names(db, "--archived") == []
    entries = ok_json(run(db, "audit", "--segment", INACTIVE, "--json", user=ADMIN))
    assert [e["action"] for e in entries[:3]] == ["access_logs_checked", "segment_restored",
                                                  "segment_archived"]
    # ISO 8601 with its "T", to the second, as every JSON segtui writes (docs/cli.md).
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", e["at"]) for e in entries)


def test_a_viewer_may_not_archive(db: str) -> None:  # noqa: F811
    refused = run(db, "segments", "archive", INACTIVE, user=VIEWER)
    assert refused.exit_code == 1
    assert "Alex Kim (Viewer) is not allowed to change segments" in refused.stderr
    assert INACTIVE in names(db)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_audit_writes_the_filtered_log_to_a_file(db: str, tmp_path: Path,  # noqa: F811
                                                 fmt: str) -> None:
    assert run(db, "segments", "create", "Audited", user=MANAGER).exit_code == 0
    assert run(db, "segments", "archive", "Audited", user=MANAGER).exit_code == 0
    out = tmp_path / f"log.{fmt}"
    result = run(db, "audit", "--user-of", MANAGER, "-o", str(out), "--format", fmt,
                 user=ADMIN)
    assert result.exit_code == 0, result.output
    assert "Exported 2 audit entries to" in result.stderr
    if fmt == "csv":
        rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
        actions = [r["Action"] for r in rows]
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        actions = [r["action"] for r in rows]
    assert actions == ["segment_archived", "segment_created"]
    newest = ok_json(run(db, "audit", "--limit", "3", "--json", user=ADMIN))
    assert [e["action"] for e in newest] == ["access_logs_checked", "user_activity_reviewed",
                                             "audit_exported"]
    assert newest[2]["subject"] == out.name and "user Sarah Mitchell" in newest[2]["details"]


def test_audit_to_a_file_says_what_is_wrong(db: str, tmp_path: Path) -> None:  # noqa: F811
    both = run(db, "audit", "-o", str(tmp_path / "x.csv"), "--json", user=ADMIN)
    assert both.exit_code == 2
    json_file = run(db, "audit", "-o", str(tmp_path / "x.json"), "--format", "json",
                    user=ADMIN)
    assert json_file.exit_code == 2 and "csv or jsonl" in json_file.stderr
    missing = run(db, "audit", "-o", str(tmp_path / "no" / "x.csv"), user=ADMIN)
    assert missing.exit_code == 1 and "cannot write" in missing.stderr
    refused = run(db, "audit", "-o", str(tmp_path / "y.csv"), user=MANAGER)
    assert refused.exit_code == 1 and not (tmp_path / "y.csv").exists()
    with opened(db) as store:
        assert store.segments.segment_id_named(INACTIVE) is not None
