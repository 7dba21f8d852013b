"""The fields a dynamic-segment condition can test, and the operators each type allows.

D1.1.3: lifecycle stage, total spent, purchase count, source channel and last active
days, and every contact attribute, engagement facts with time windows and
membership of another segment. Field keys are what the query language and the stored JSON
use; labels are what the builder shows. docs/rules.md lists them with their SQL meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from segtui.core.enums import CompanySize, EventType, LeadStatus, LifecycleStage, SourceChannel
from segtui.core.rules.tree import Op


class FieldType(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # a closed vocabulary
    TAGS = "tags"  # a set of tag names
    NUMBER = "number"
    MONEY = "money"  # dollars, two decimals
    DATE = "date"
    EVENT = "event"  # how many times a contact did something within a window
    SEGMENT = "segment"


OPERATORS: dict[FieldType, tuple[Op, ...]] = {
    FieldType.TEXT: (Op.EQ, Op.NE, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH, Op.ONE_OF,
                     Op.EMPTY, Op.NOT_EMPTY),
    FieldType.CHOICE: (Op.EQ, Op.NE, Op.ONE_OF, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.TAGS: (Op.EQ, Op.NE, Op.ONE_OF, Op.CONTAINS, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.NUMBER: (Op.EQ, Op.NE, Op.GT, Op.LT, Op.GE, Op.LE, Op.BETWEEN),
    FieldType.MONEY: (Op.EQ, Op.NE, Op.GT, Op.LT, Op.GE, Op.LE, Op.BETWEEN),
    FieldType.DATE: (Op.BEFORE, Op.AFTER, Op.WITHIN, Op.OLDER, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.EVENT: (Op.GE, Op.GT, Op.EQ, Op.NE, Op.LT, Op.LE),
    FieldType.SEGMENT: (Op.IN_SEGMENT,),
}

# What each operator means, for the builder's operator picker and the help.
OPERATOR_LABELS: dict[Op, str] = {
    Op.EQ: "equals", Op.NE: "does not equal", Op.CONTAINS: "contains",
    Op.NOT_CONTAINS: "does not contain", Op.STARTS_WITH: "starts with", Op.ONE_OF: "is one of",
    Op.EMPTY: "is empty", Op.NOT_EMPTY: "is not empty", Op.GT: "greater than",
    Op.LT: "less than", Op.GE: "at least", Op.LE: "at most", Op.BETWEEN: "between",
    Op.BEFORE: "before", Op.AFTER: "after", Op.WITHIN: "within the last N days",
    Op.OLDER: "more than N days ago", Op.IN_SEGMENT: "is in segment",
}

# Operators that take no value, and those that take two.
NO_VALUE = frozenset({Op.EMPTY, Op.NOT_EMPTY})


@dataclass(frozen=True)
class RuleField:
    key: str
    label: str
    type: FieldType
    choices: tuple[str, ...] = ()  # a CHOICE field's vocabulary
    event: EventType | None = None  # an EVENT field's event type
    help: str = ""

    @property
    def operators(self) -> tuple[Op, ...]:
        return OPERATORS[self.type]


def _choice(key: str, label: str, values: type[StrEnum], help: str) -> RuleField:
    return RuleField(key, label, FieldType.CHOICE, tuple(v.value for v in values), help=help)


FIELDS: tuple[RuleField, ...] = (
    _choice("status", "Lead status", LeadStatus, "the contact's lead status"),
    _choice("stage", "Lifecycle stage", LifecycleStage, "the contact's lifecycle stage"),
    RuleField("company", "Company", FieldType.TEXT, help="the company's name"),
    _choice("size", "Company size", CompanySize, "the company's size"),
    RuleField("industry", "Industry", FieldType.TEXT, help="the company's industry"),
    RuleField("city", "City", FieldType.TEXT),
    RuleField("state", "State", FieldType.TEXT),
    RuleField("country", "Country", FieldType.TEXT),
    RuleField("region", "Region", FieldType.TEXT, help="e.g. North America, Europe"),
    RuleField("name", "Name", FieldType.TEXT),
    RuleField("email", "Email", FieldType.TEXT),
    RuleField("title", "Job title", FieldType.TEXT),
    RuleField("tag", "Tags", FieldType.TAGS, help="the contact's tags"),
    RuleField("score", "Quality score", FieldType.NUMBER, help="0-100"),
    RuleField("spent", "Total spent", FieldType.MONEY,
              help="sum of the revenue of the contact's conversions, in dollars"),
    RuleField("purchases", "Purchase count", FieldType.NUMBER,
              help="how many conversions the contact has"),
    _choice("source", "Source channel", SourceChannel, "how the contact was acquired"),
    RuleField("created", "Created", FieldType.DATE, help="when the contact was created"),
    RuleField("last_activity", "Last activity", FieldType.DATE,
              help="the contact's newest open, click, response, meeting or conversion"),
    RuleField("opened", "Opened an email", FieldType.EVENT, event=EventType.OPENED),
    RuleField("clicked", "Clicked", FieldType.EVENT, event=EventType.CLICKED),
    RuleField("responded", "Responded to outreach", FieldType.EVENT,
              event=EventType.RESPONDED),
    RuleField("meeting", "Attended a meeting", FieldType.EVENT,
              event=EventType.MEETING_ATTENDED),
    RuleField("converted", "Converted", FieldType.EVENT, event=EventType.CONVERTED),
    RuleField("unsubscribed", "Unsubscribed", FieldType.EVENT, event=EventType.UNSUBSCRIBED),
    RuleField("segment", "Segment membership", FieldType.SEGMENT,
              help="membership of another segment"),
)

FIELDS_BY_KEY: dict[str, RuleField] = {f.key: f for f in FIELDS}

# Other spellings people type; the language and the JSON reader accept them.
ALIASES: dict[str, str] = {
    "lead_status": "status", "lifecycle_stage": "stage", "lifecycle": "stage",
    "company_size": "size", "tags": "tag", "quality": "score", "quality_score": "score",
    "total_spent": "spent", "purchase_count": "purchases", "source_channel": "source",
    "created_at": "created", "last_active": "last_activity", "meeting_attended": "meeting",
    "in_segment": "segment",
}


def field_named(name: str) -> RuleField | None:
    key = name.strip().lower()
    return FIELDS_BY_KEY.get(ALIASES.get(key, key))
