"""What every table of the schema is made with: the one MetaData, its naming convention, the
`Schema` base class whose subclasses are the tables, the closed-vocabulary and id column
types, and the PostgreSQL form of the partial indexes."""

from enum import StrEnum
from typing import Any, ClassVar, TypeVar, cast

from sqlalchemy import BigInteger, Column, Enum, Integer, MetaData, Table
from sqlalchemy.types import TypeEngine

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Event ids reach 10M+ on the reference dataset: BIGINT on PostgreSQL, INTEGER (the rowid
# alias, already 64-bit) on SQLite so autoincrement works there.
BigId = BigInteger().with_variant(Integer, "sqlite")


def name_key(value: str) -> str:
    """The case-insensitive identity of a name: trimmed and case-folded."""
    return value.strip().casefold()


E = TypeVar("E", bound=StrEnum)


def vocabulary(enum: type[E], name: str) -> TypeEngine[E]:
    """A closed vocabulary column: stores the value text, checked by a CHECK constraint.
    Typed as its enum, which is what a read returns."""
    return cast("TypeEngine[E]", Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
    ))


metadata = MetaData(naming_convention=NAMING)


class Schema:
    """A table's class: its columns are its attributes, named by them, in their order.

    Each is annotated `ColumnClause[T]`, T the Python type a read returns: SQLAlchemy 2.1
    types a `Column` read from a class as `Never` (that spelling is the ORM's), and a
    ColumnClause is all a query needs of it."""

    __tablename__: ClassVar[str]
    __table_args__: ClassVar[tuple[Any, ...]] = ()
    __table__: ClassVar[Table]

    def __init_subclass__(cls) -> None:
        columns: list[Column[Any]] = []
        for name, value in vars(cls).items():
            if isinstance(value, Column):
                value.name = value.key = name
                columns.append(value)
        cls.__table__ = Table(cls.__tablename__, metadata, *columns, *cls.__table_args__)

    @classmethod
    def __clause_element__(cls) -> Table:
        """What SQLAlchemy uses where it is given the class: its table."""
        return cls.__table__


def postgresql_partial_indexes() -> None:
    """Give every partial index of the schema its WHERE on PostgreSQL too.

    The classes name it for SQLite alone because naming a `postgresql_*` option makes
    SQLAlchemy import its PostgreSQL dialect with all five of its drivers, which every
    SQLite command, a scripted read included, would wait for (P12). The WHERE is
    the same on both engines. Called when a PostgreSQL engine is made; idempotent."""
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None:
                index.dialect_kwargs["postgresql_where"] = where
