"""/v1/segments (C21.1.3, C21.1.4): list, get, create, update and delete segments, with
the rules, permissions and conflict handling of the app and `segtui segments ...`."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from segtui.api.deps import Reader, Writer, as_id, segment_id
from segtui.api.problems import Problem
from segtui.api.routes._errors import answered, rule_of
from segtui.api.routes._pages import keyset_after, next_cursor
from segtui.core.enums import SegmentStatus
from segtui.core.records import SegmentFilter, SegmentSort, SegmentSortColumn
from segtui.transfer.segment_json import segment_json, segment_summary

if TYPE_CHECKING:
    from segtui.data.store import Store

router = APIRouter(tags=["segments"])
JSONObject = dict[str, Any]


class Sort(StrEnum):
    NAME = "name"
    UPDATED = "updated"
    MEMBERS = "members"
    CAMPAIGNS = "campaigns"
    STATUS = "status"


_COLUMNS = {Sort.NAME: SegmentSortColumn.NAME, Sort.UPDATED: SegmentSortColumn.LAST_MODIFIED,
            Sort.MEMBERS: SegmentSortColumn.CONTACTS, Sort.CAMPAIGNS: SegmentSortColumn.CAMPAIGNS,
            Sort.STATUS: SegmentSortColumn.STATUS}


class Order(StrEnum):
    ASC = "asc"
    DESC = "desc"


# A name's, description's and tags' limits are checked by the app (core/validation.py),
# with the messages the app and the CLI give: a second, looser limit here answered a
# 10,000-character name with "at most 200 characters" where the limit is 100. The body's
# size is bounded (app.MAX_BODY).
Name = str
Description = str
Tags = list[str]
RuleText = Annotated[str, Field(min_length=1, max_length=10_000,
                                description="A rule in the query language (docs/rules.md)")]


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    description: Description = ""
    status: SegmentStatus = SegmentStatus.DRAFT
    tags: Tags = []
    rule: RuleText | None = Field(None, description="Dynamic when given, else static")


class SegmentPatch(BaseModel):
    """Only the fields given change. `version`: the version the change was made on (from a
    GET); if someone saved since, 409 and nothing changed. Without it, the change is
    applied to the segment as it is now."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    description: Description | None = None
    status: SegmentStatus | None = None
    tags: Tags | None = None
    rule: RuleText | None = None
    static: bool = Field(False, description="Make a dynamic segment static (members stay)")
    version: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


@router.get("/segments", summary="List segments")
def list_segments(
    caller: Reader,
    status: SegmentStatus | None = None,
    search: Annotated[str, Query(max_length=200)] = "",
    archived: bool = False,
    sort: Sort = Sort.NAME,
    order: Order = Order.ASC,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> JSONObject:
    """A page of the segments the caller sees, in `sort` order; `next_cursor` fetches the
    next page (null at the end)."""
    store = caller.store
    kind = f"segments:{sort.value}:{order.value}:{status}:{archived}:{search}"
    page = store.segments.segment_page(
        SegmentFilter(search=search, status=status, archived=archived),
        SegmentSort(_COLUMNS[sort], order is Order.DESC), after=keyset_after(kind, cursor),
        limit=limit)
    rules = store.segments.segment_rules([row.id for row in page.rows])
    return {
        "segments": [segment_summary(row, rules.get(row.id)) for row in page.rows],
        "next_cursor": next_cursor(kind, page),
    }


def _shown(store: Store, found: int) -> JSONObject:
    obj = segment_json(store, found)
    if obj is None:
        raise Problem(404, "The segment was deleted meanwhile.")
    return obj


@router.get("/segments/{ref}", summary="Get a segment by id or name")
async def get_segment(caller: Reader, ref: str) -> JSONObject:
    # Read on the event loop (async), on the caller's lookups: one statement by key, cheaper
    # than a worker thread's round trip (C21.1.13, engine.lookup_engine). By id, the
    # segment's JSON is read at once: it is None for a segment the caller doesn't see, as
    # `segment_id`'s own check would say. Otherwise (or a segment named in digits) by name.
    by_id = as_id(ref)
    obj = None if by_id is None else segment_json(caller.lookups, by_id)
    if obj is not None:
        return obj
    return _shown(caller.lookups, segment_id(caller, ref, caller.lookups))


@router.post("/segments", status_code=201, summary="Create a segment")
def create_segment(caller: Writer, body: SegmentIn, response: Response) -> JSONObject:
    """A static segment, or a dynamic one kept to `rule`; its members follow at once."""
    from segtui.core.contacts import ContactSelection
    from segtui.core.segments import SegmentDraft

    tree = None if body.rule is None else rule_of(body.rule)
    draft = SegmentDraft(body.name, body.description, tuple(body.tags), body.status, tree)
    with answered():
        created = caller.store.segments.create_segment(draft, ContactSelection(), caller.user)
    response.headers["Location"] = f"/v1/segments/{created}"
    return _shown(caller.store, created)


@router.patch("/segments/{ref}", summary="Change a segment")
def update_segment(caller: Writer, ref: str, body: SegmentPatch) -> JSONObject:
    from segtui.core.contacts import ContactSelection
    from segtui.core.segments import SegmentConflict

    if body.rule is not None and body.static:
        raise Problem(422, "give rule or static, not both")
    tree = None if body.rule is None else rule_of(body.rule)
    found = segment_id(caller, ref)
    store = caller.store
    # Without a version every field given replaces a value whole, so a save by someone
    # else between our read and write is retried once on their version, as the CLI does.
    for attempt in (1, 2):
        details = store.segments.segment_details(found)
        if details is None:
            raise Problem(404, "The segment was deleted meanwhile.")
        version = details.version if body.version is None else body.version
        draft = details.as_draft()
        draft = replace(
            draft,
            name=draft.name if body.name is None else body.name,
            description=draft.description if body.description is None else body.description,
            status=draft.status if body.status is None else body.status,
            tags=draft.tags if body.tags is None else tuple(body.tags),
            rule=None if body.static else tree if tree is not None else draft.rule,
        )
        with answered():
            try:
                store.segments.update_segment(found, version, draft, ContactSelection(),
                                              caller.user)
                break
            except SegmentConflict:
                if body.version is not None or attempt == 2:
                    raise
    return _shown(caller.store, found)


@router.delete("/segments/{ref}", summary="Delete a segment")
def delete_segment(caller: Writer, ref: str) -> JSONObject:
    """Delete it with its memberships, notes and activities (contacts stay). Refused (409)
    while active campaigns or other segments' rules use it."""
    from segtui.core.segments import SegmentInUse, SegmentUsedByRules

    found = segment_id(caller, ref)
    store = caller.store
    preview = store.segments.delete_preview(found)
    if preview is None:
        raise Problem(404, "The segment was deleted meanwhile.")
    shown = preview.segment.name
    if preview.active_campaigns:
        raise Problem(409, f"{shown!r}: {SegmentInUse(preview.active_campaigns).naming_them()}")
    if preview.used_by:
        raise Problem(409, f"{shown!r}: {SegmentUsedByRules(preview.used_by)}")
    with answered():
        store.segments.delete_segment(found, caller.user)
    return {"id": found, "name": shown, "members": preview.segment.members,
            "notes": preview.notes, "activities": preview.activities}
