"""The one row ⇄ dataclass mechanism of `storage.convert`: a column nobody fills, or a field with no
column, is refused when the map is made, not found on the first write."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table

from conversations.domain import Role, UserRef
from storage.convert import JSON_LIST, RowMap, enum, person


@dataclass(frozen=True)
class Badge:
    owner: UserRef
    role: Role
    tags: tuple[str, ...]
    level: int


def badges(*extra: Column[object]) -> Table:
    return Table(
        "badges",
        MetaData(),
        Column("owner_key", String, primary_key=True),
        Column("role", String),
        Column("tags", JSON),
        Column("level", Integer),
        *extra,
    )


def badge_map(table: Table, supplied: tuple[str, ...] = ()) -> RowMap[Badge]:
    return RowMap(
        Badge,
        table,
        supplied=supplied,
        owner=person("owner_key"),
        role=enum(Role),
        tags=JSON_LIST,
    )


BADGE = Badge(UserRef("slack", "T1", "U1"), Role.MENTOR, ("ai", "sql"), 3)


def test_fields_become_columns_and_come_back() -> None:
    badge = badge_map(badges())
    values = badge.values(BADGE)
    assert values == {"owner_key": "slack:T1:U1", "role": "mentor", "tags": ["ai", "sql"], "level": 3}
    assert badge.from_row(values) == BADGE
    assert badge.from_row({**values, "tags": None}).tags == ()


def test_a_column_no_field_fills_is_refused_unless_the_caller_supplies_it() -> None:
    with pytest.raises(ValueError, match="unfilled \\['awarded_by'\\]"):
        badge_map(badges(Column("awarded_by", String)))
    badge = badge_map(badges(Column("awarded_by", String)), supplied=("awarded_by",))
    assert badge.values(BADGE, awarded_by="ann")["awarded_by"] == "ann"


def test_a_field_without_a_column_is_refused() -> None:
    table = Table("badges", MetaData(), Column("owner_key", String), Column("role", String))
    with pytest.raises(ValueError, match="no column \\['level', 'tags'\\]"):
        badge_map(table)


def test_an_unknown_stored_value_still_fails_as_the_enum_does() -> None:
    badge = badge_map(badges())
    with pytest.raises(ValueError, match="'wizard' is not a valid Role"):
        badge.from_row({**badge.values(BADGE), "role": "wizard"})
