"""Reading an org chart CSV: every problem named by its line, nothing half-read; chains and changes."""

from __future__ import annotations

import pytest

from conversations.services.org import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    OrgImportError,
    OrgPerson,
    chain_of,
    changes,
    export_csv,
    find_cycles,
    parse_org_csv,
)

HEADER = ",".join(COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(OrgImportError) as caught:
        parse_org_csv(data)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_reads_every_person_with_levels_by_name_or_number() -> None:
    people = parse_org_csv(
        csv_bytes(
            "CEO@Example.com,Cora Eng,Board,Executive,,Europe/London",
            "vp@example.com, Vic  Pike ,Finance,5,ceo@example.com,America/New_York",
            "ann@example.com,Ann,Finance,early career,VP@example.com,",
        )
    )
    assert people == [
        OrgPerson("ceo@example.com", "Cora Eng", "Board", 6, None, "Europe/London"),
        OrgPerson("vp@example.com", "Vic Pike", "Finance", 5, "ceo@example.com", "America/New_York"),
        OrgPerson("ann@example.com", "Ann", "Finance", 1, "vp@example.com", ""),
    ]


def test_extra_columns_any_order_a_byte_order_mark_and_blank_lines_are_fine() -> None:
    data = "\ufeffTimezone,level,extra,email,manager_email,department,name\r\n\r\nUTC,2,x,a@x.org,,Ops,A\r\n"
    assert parse_org_csv(data.encode()) == [OrgPerson("a@x.org", "A", "Ops", 2, None, "UTC")]


def test_a_missing_header_is_line_1() -> None:
    (problem,) = problems_of(b"a@x.org,A,Ops,2,,UTC\n")
    assert problem.startswith("line 1: the first line must be a header")
    assert "missing: email, name, department, level, manager_email, timezone" in problem
    (problem,) = problems_of(b"email,name,level\na@x.org,A,2\n")
    assert problem.startswith("line 1:") and "missing: department, manager_email, timezone" in problem
    (problem,) = problems_of(b"")
    assert problem.startswith("line 1:")


def test_a_duplicate_email_names_both_lines_whatever_its_case() -> None:
    assert problems_of(csv_bytes("a@x.org,A,Ops,2,,", "b@x.org,B,Ops,2,,", "A@X.org,A2,Ops,3,,")) == [
        "line 4: duplicate email a@x.org (first on line 2)"
    ]


def test_a_manager_cycle_is_named_with_its_people() -> None:
    found = problems_of(
        csv_bytes("top@x.org,T,Ops,6,,", "a@x.org,A,Ops,4,b@x.org,", "b@x.org,B,Ops,3,a@x.org,")
    )
    assert found == ["line 3: manager cycle: a@x.org manages b@x.org manages a@x.org"]
    assert problems_of(csv_bytes("a@x.org,A,Ops,4,a@x.org,")) == ["line 2: a@x.org is their own manager"]


def test_a_longer_cycle_is_reported_once() -> None:
    found = problems_of(
        csv_bytes("a@x.org,A,Ops,4,c@x.org,", "b@x.org,B,Ops,3,a@x.org,", "c@x.org,C,Ops,3,b@x.org,")
    )
    assert found == ["line 2: manager cycle: a@x.org manages b@x.org manages c@x.org manages a@x.org"]


def test_an_unknown_manager_is_named() -> None:
    assert problems_of(csv_bytes("a@x.org,A,Ops,4,,", "b@x.org,B,Ops,3,boss@x.org,")) == [
        "line 3: manager_email boss@x.org is not anyone's email in the file"
    ]


@pytest.mark.parametrize("level", ["0", "7", "99", "-1", "chief", ""])
def test_a_level_out_of_range_is_named(level: str) -> None:
    (problem,) = problems_of(csv_bytes("a@x.org,A,Ops,2,,", f"b@x.org,B,Ops,{level},,"))
    assert problem.startswith("line 3: level") and "must be 1-6 or one of Early career" in problem


def test_a_file_over_the_cap_is_refused_before_it_is_read() -> None:
    (problem,) = problems_of(b"x" * (MAX_IMPORT_BYTES + 1))
    assert problem == "the file is 20.0 MB; an org chart may be at most 20 MB"


def test_a_file_that_is_not_utf8_names_the_line_of_the_first_bad_byte() -> None:
    data = csv_bytes("a@x.org,A,Ops,2,,") + "b@x.org,Andr\u00e9,Ops,2,,\n".encode("latin-1")
    (problem,) = problems_of(data)
    assert problem == "line 3: the file is not UTF-8 text (byte 0xe9); save it as CSV UTF-8"


def test_every_other_row_problem_is_listed_with_its_line() -> None:
    found = problems_of(
        csv_bytes(
            "not-an-email,A,Ops,2,,",
            ",B,Ops,2,,",
            "c@x.org,,Ops,2,,",
            "d@x.org,D,Ops,2,,Mars/Base",
            "e@x.org,=HYPERLINK(1),Ops,2,,",
            "f@x.org,F,Ops,2,boss,",
        )
    )
    assert found == [
        "line 2: 'not-an-email' is not an email address",
        "line 3: email is empty",
        "line 4: name is empty",
        "line 5: timezone 'Mars/Base' is not a time zone such as Europe/London",
        "line 6: name must not start with = + - or @ (spreadsheets run it as a formula)",
        "line 7: manager_email 'boss' is not an email address",
    ]


def test_a_quoted_field_across_lines_keeps_the_line_numbers_of_later_rows() -> None:
    found = problems_of(csv_bytes('a@x.org,"Ann\nof two lines",Ops,2,,', "b@x.org,B,Ops,9,,"))
    assert found == [f"line 4: level '9' must be {found[0].split('must be ')[1]}"]


def test_a_header_alone_is_refused() -> None:
    assert problems_of(csv_bytes()) == ["the file has a header but nobody in it"]


def test_many_problems_are_shown_twenty_at_a_time() -> None:
    rows = [f"p{k}@x.org,P,Ops,9,," for k in range(30)]
    with pytest.raises(OrgImportError) as caught:
        parse_org_csv(csv_bytes(*rows))
    assert len(caught.value.problems) == 30
    assert str(caught.value).splitlines()[-1] == "... and 10 more"


def test_export_reads_back_as_the_same_chart() -> None:
    people = parse_org_csv(
        csv_bytes('a@x.org,"Smith, Ann",Ops,6,,UTC', 'b@x.org,"Bo ""B"" Ek",Ops,2,a@x.org,Asia/Tokyo')
    )
    assert parse_org_csv(export_csv(people).encode()) == people


def test_changes_sort_people_into_added_updated_unchanged_and_removed() -> None:
    a, b, c = (OrgPerson(f"{n}@x.org", n, "Ops", 2, None, "") for n in "abc")
    b2 = OrgPerson("b@x.org", "b", "Finance", 2, None, "")
    d = OrgPerson("d@x.org", "d", "Ops", 2, None, "")
    found = changes([a, b, c], [a, b2, d])
    assert (found.added, found.updated, found.unchanged, found.removed) == ((d,), (b2,), 1, ("c@x.org",))
    assert found.summary() == "1 added, 1 updated, 1 unchanged, 1 removed"


def test_chains_go_up_to_the_depth_and_stop_at_the_top_or_a_loop() -> None:
    managers = {"a": "b", "b": "c", "c": "d", "d": None}
    assert chain_of("a", managers, 1) == ("b",)
    assert chain_of("a", managers, 2) == ("b", "c")
    assert chain_of("a", managers, 9) == ("b", "c", "d")
    assert chain_of("d", managers, 2) == ()
    assert chain_of("nobody", managers, 2) == ()
    assert chain_of("x", {"x": "y", "y": "x"}, 5) == ("y",)


def test_find_cycles_ignores_chains_that_end() -> None:
    assert find_cycles({"a": "b", "b": None, "c": "a"}) == []
    assert [sorted(c) for c in find_cycles({"a": "b", "b": "a", "c": "a", "d": "d"})] == [["a", "b"], ["d"]]
