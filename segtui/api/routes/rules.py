"""/v1/rules (C21.1.9): how many contacts a rule in the query language matches today, and
some of them, without saving anything (the rule builder's live count, over HTTP)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from segtui.api.deps import Reader
from segtui.api.problems import Problem
from segtui.api.routes._errors import rule_of

router = APIRouter(tags=["rules"])


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: Annotated[str, Field(min_length=1, max_length=10_000,
                               description="A rule in the query language (docs/rules.md)")]
    sample: Annotated[int, Field(ge=0, le=100, description="How many matches to list")] = 0


@router.post("/rules/count", summary="Count (and sample) the contacts a rule matches")
def count_rule(caller: Reader, body: RuleIn) -> dict[str, Any]:
    """`{"rule": "score > 70 and opened within 30d >= 1", "sample": 5}` → the rule as
    segtui reads it, its count, and `sample` matching contacts (id, name)."""
    from segtui.core.rules.language import format_rule

    store = caller.store
    checked, issues = store.rules.check_rule(rule_of(body.rule))
    if issues:
        raise Problem(422, "; ".join(issue.message for issue in issues))
    count = store.rules.rule_count(checked)
    sample = store.rules.rule_sample(checked, body.sample) if body.sample else []
    return {"rule": format_rule(checked), "count": count,
            "sample": [{"id": contact_id, "name": name} for contact_id, name in sample]}
