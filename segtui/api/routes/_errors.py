"""The Store's refusals as problems: the same words the command line prints (C21.1.6)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from segtui.api.problems import Problem

if TYPE_CHECKING:
    from segtui.core.rules.tree import Node


@contextmanager
def answered() -> Iterator[None]:
    """Turn what a Store call refuses into its problem: 403 not allowed, 409 a conflict
    (someone saved since, the segment is in use), 422 what the user can fix, 503 the
    database busy (SQLite's writer, for longer than the busy timeout: try again)."""
    from segtui.core.api_tokens import TokenError
    from segtui.core.busy import DatabaseBusy
    from segtui.core.cancel import Cancelled
    from segtui.core.segments import (
        DuplicateSegmentName,
        NotAllowed,
        SegmentConflict,
        SegmentError,
        SegmentInUse,
        SegmentNotFound,
        SegmentUsedByRules,
    )

    try:
        yield
    except NotAllowed as exc:
        raise Problem(403, str(exc)) from None
    except SegmentNotFound as exc:
        raise Problem(404, str(exc)) from None
    except (SegmentConflict, SegmentInUse, SegmentUsedByRules, DuplicateSegmentName) as exc:
        raise Problem(409, str(exc)) from None
    except (SegmentError, TokenError) as exc:
        raise Problem(422, str(exc)) from None
    except DatabaseBusy as exc:
        raise Problem(503, str(exc), headers={"Retry-After": "1"}) from None
    except Cancelled:
        raise Problem(503, "The server is stopping: try again.",
                      headers={"Retry-After": "5"}) from None


def rule_of(text: str) -> Node:
    """The rule `text` in the query language (docs/rules.md), or 422 saying where it is
    wrong, as `--rule` says it."""
    from segtui.core.rules.language import RuleSyntaxError, parse

    try:
        return parse(text)
    except RuleSyntaxError as exc:
        raise Problem(422, f"rule: {exc}") from None
