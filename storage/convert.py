"""Rows to domain dataclasses and back; the only place that knows both shapes.

Each domain type has one `RowMap`: its dataclass fields are its table's columns of the same name, as
they are, except for the few fields declared here (an enum stored as its value, a tuple stored as a JSON
list, a person stored as `UserRef.key`, a value spread over several columns). A new column with a field
of its name needs nothing here; a column that no field fills must be named as supplied by the caller, so
a forgotten one fails at import rather than on the first write. Instants need no declaration: the
tables' `UtcDateTime` stores and returns them in UTC.

`values(obj)` gives the column values for an insert or update; `from_row(row)` rebuilds the engine's
dataclass from a result row's mapping.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any, Generic, TypeVar

from sqlalchemy import Table

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    ConversationRef,
    Cycle,
    Delivery,
    DeliveryPriority,
    DeliveryStatus,
    Destination,
    Goal,
    Invitation,
    InvitationStatus,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantStatus,
    PromptRating,
    Role,
    Side,
    Story,
    StoryStatus,
    UserRef,
)
from conversations.ports import PromptSet
from conversations.services.org import OrgPerson
from storage import tables

Values = dict[str, Any]
Row = Mapping[Any, Any]
"""A result row by column: SQLAlchemy's `RowMapping` also takes `Column` keys."""

_T = TypeVar("_T")
_E = TypeVar("_E", bound=Enum)


Write = str | Callable[[Any], Any]
"""A column's value from a field's: an attribute of it by name (read in one C call with the field's
other plain attributes), or a function of it."""


@dataclass(frozen=True)
class Converted:
    """A field kept in one column, of its own name unless `column` says otherwise, as `write(field)`;
    read back as `read(value)`."""

    write: Write
    read: Callable[[Any], Any]
    column: str | None = None


@dataclass(frozen=True)
class Spread:
    """A field kept in several columns, each `write`n from it; `read` rebuilds it from the whole row."""

    columns: Mapping[str, Write]
    read: Callable[[Row], Any]


# A tick reads every participant and pairing of the program, so the per-row conversions are paid tens
# of thousands of times: enum members come from a dict, and people from a cache of `UserRef` (frozen,
# so one instance can stand for a person in every row that names them).


def _members(enum: type[_E]) -> Callable[[Any], _E]:
    """`enum(value)` by a dict lookup; a value that is not a member still raises as `enum(value)` does."""
    by_value = {member.value: member for member in enum}

    def member(value: Any) -> _E:
        found = by_value.get(value)
        return found if found is not None else enum(value)

    return member


_user = lru_cache(maxsize=1 << 16)(UserRef.from_key)


def enum(kind: type[Enum], *, optional: bool = False) -> Converted:
    """An enum stored as its value (`optional`: None stays None)."""
    member = _members(kind)
    if optional:
        return Converted(lambda e: None if e is None else e.value, lambda v: None if v is None else member(v))
    return Converted("value", member)


JSON_LIST = Converted(list, lambda v: tuple(v or ()))
"""A tuple stored as a JSON list; a NULL list reads as empty."""


def person(column: str) -> Converted:
    """A `UserRef` stored as its key."""
    return Converted("key", _user, column)


def person_with_place(column: str) -> Spread:
    """A `UserRef` stored as its key, with its platform and workspace in columns of their own for the
    queries that filter on them."""
    columns = {column: "key", "platform": "platform", "workspace_id": "workspace_id"}
    return Spread(columns, lambda row: _user(row[column]))


class RowMap(Generic[_T]):
    """Converts the dataclass `kind` to its table's column values and back.

    Everything is worked out once, here: a conversion is a pass over precomputed getters, with no
    lookup of fields or columns per row.
    """

    def __init__(
        self, kind: type[_T], table: Table, *, supplied: tuple[str, ...] = (), **stored: Converted | Spread
    ) -> None:
        if not dataclasses.is_dataclass(kind):
            raise TypeError(f"{kind.__name__} is not a dataclass")
        self.kind = kind
        fields = [f.name for f in dataclasses.fields(kind) if f.init]
        unknown = stored.keys() - set(fields)
        if unknown:
            raise ValueError(f"{kind.__name__} has no field {sorted(unknown)}")
        attributes: dict[str, str] = {}  # column → the attribute path it is read from
        computed: dict[str, Callable[[Any], Any]] = {}  # column → its value from the object
        reads: list[Callable[[Row], Any]] = []
        for name in fields:
            how = stored.get(name)
            if how is None:
                attributes[name] = name
                reads.append(itemgetter(name))
                continue
            if isinstance(how, Converted):
                column = how.column or name
                writes: Mapping[str, Write] = {column: how.write}
                reads.append(_read_column(column, how.read))
            else:
                writes = how.columns
                reads.append(how.read)
            for column, write in writes.items():
                if isinstance(write, str):
                    attributes[column] = f"{name}.{write}"
                else:
                    computed[column] = _applied(write, name)
        filled = attributes.keys() | computed.keys()
        names = {c.name for c in table.c}
        if filled - names or names - filled - set(supplied):
            raise ValueError(
                f"{kind.__name__} ⇄ {table.name}: no column {sorted(filled - names)};"
                f" unfilled {sorted(names - filled - set(supplied))}"
            )
        self.columns: tuple[str, ...] = (*attributes, *computed)
        """The columns `row` gives, in its order (`supplied` ones excepted)."""
        self._attribute_columns = tuple(attributes)
        self._attributes = _getter(tuple(attributes.values()))
        self._computed = tuple(computed.items())
        self._reads = tuple(reads)
        self._columns_as_fields = itemgetter(*fields) if not stored and len(fields) > 1 else None
        """Where every field is its column as is: all of them in one C call."""

    def row(self, obj: _T) -> tuple[Any, ...]:
        """The column values of `obj`, in the order of `columns`."""
        return (*self._attributes(obj), *[compute(obj) for _, compute in self._computed])

    def values(self, obj: _T, **supplied: Any) -> Values:
        """The column values of `obj` by name, with the `supplied` columns added."""
        # The same length by construction: `strict` would cost a fifth of this line on every row.
        values = dict(zip(self._attribute_columns, self._attributes(obj), strict=False))
        for column, compute in self._computed:
            values[column] = compute(obj)
        if supplied:
            values.update(supplied)
        return values

    def from_row(self, row: Row) -> _T:
        if self._columns_as_fields is not None:
            return self.kind(*self._columns_as_fields(row))
        return self.kind(*[read(row) for read in self._reads])


def _read_column(column: str, read: Callable[[Any], Any]) -> Callable[[Row], Any]:
    return lambda row: read(row[column])


def _getter(paths: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """All the attributes in one C call; `attrgetter` of a single path would not give a tuple."""
    if len(paths) == 1:
        one = attrgetter(paths[0])
        return lambda obj: (one(obj),)
    return attrgetter(*paths)


def _applied(write: Callable[[Any], Any], name: str) -> Callable[[Any], Any]:
    field = attrgetter(name)
    return lambda obj: write(field(obj))


_destination = Spread(
    {
        "platform": "platform",
        "workspace_id": "workspace_id",
        "users": lambda d: list(d.users),
        "channel_id": "channel_id",
    },
    lambda row: Destination(
        row["platform"], row["workspace_id"], tuple(row["users"] or ()), row["channel_id"]
    ),
)

participant = RowMap(
    Participant,
    tables.participants,
    user=person_with_place("user_key"),
    role=enum(Role),
    skills=JSON_LIST,
    learning_goals=JSON_LIST,
    status=enum(ParticipantStatus),
)
cycle = RowMap(Cycle, tables.cycles)
pairing = RowMap(
    Pairing,
    tables.pairings,
    leader=person("leader_key"),
    mentor=person("mentor_key"),
    reasons=JSON_LIST,
    status=enum(PairingStatus),
)
goal = RowMap(Goal, tables.goals, owner=person("owner_key"), side=enum(Side))
checkin = RowMap(Checkin, tables.checkins, user=person("user_key"), answer=enum(CheckinAnswer, optional=True))
assessment = RowMap(Assessment, tables.assessments, user=person("user_key"), side=enum(Side))
story = RowMap(Story, tables.stories, proposer=person("proposer_key"), status=enum(StoryStatus))
delivery = RowMap(
    Delivery,
    tables.deliveries,
    destination=_destination,
    status=enum(DeliveryStatus),
    priority=enum(DeliveryPriority),
)
conversation_ref = RowMap(
    ConversationRef,
    tables.conversation_refs,
    user=person("user_key"),
    data=Converted(lambda data: data, lambda v: dict(v or {})),
)
prompt_set = RowMap(
    PromptSet, tables.prompt_cache, supplied=("pairing_id", "week"), prompts=JSON_LIST, topics=JSON_LIST
)
prompt_rating = RowMap(PromptRating, tables.prompt_ratings, user=person("user_key"))
invitation = RowMap(Invitation, tables.invitations, status=enum(InvitationStatus))
org_person = RowMap(OrgPerson, tables.org_people, supplied=("updated_at",))
