from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from checkin import desk
from checkin.demo import build_demo
from checkin.domain import Status
from checkin.projection import rebuild
from checkin.search import count_matches, search
from checkin.store import Store, open_store
from checkin.store.migrate import alembic_config, current_revision, head_revision


@pytest.fixture
def people(store: Store, now) -> Store:
    for first, last, email, org in [
        ("Jörg", "Müller", "jm@hamburg.de", "Polizei Hamburg"),
        ("Marcus", "O'Brien", "mobrien@harris.gov", "Harris County Sheriff's Office"),
        ("Siobhán", "Ó Briain", "sob@dublin.ie", "Dublin Schools"),
        ("Maximilian Alexander", "von Hohenzollern-Sigmaringen", "max@hz.de", "Haus Hohenzollern"),
        ("Ana", "García-Márquez", "ana_gm+conf@example.com", "50% Schools & Co."),
    ]:
        desk.register_walk_in(store, desk.WalkIn(first, last, email, org, status=Status.PAID), now)
    return store


def names(store: Store, query: str) -> list[str]:
    with store.reading() as session:
        return [a.last_name for a in search(session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mull", "Müller"),
        ("MÜLL", "Müller"),
        ("jorg", "Müller"),
        ("polizei ham", "Müller"),
        ("o'br", "O'Brien"),
        ("obrien", "O'Brien"),
        ("o’brien", "O'Brien"),
        ("mobrien@harris", "O'Brien"),
        ("siobhan", "Ó Briain"),
        ("sigmar", "von Hohenzollern-Sigmaringen"),
        ("vonhohen", "von Hohenzollern-Sigmaringen"),
        ("marquez", "García-Márquez"),
        ("ana_gm+conf@example.com", "García-Márquez"),
        ("50%", "García-Márquez"),
    ],
)
def test_finds_by_name_organization_email_regardless_of_case_accents_punctuation(
    people: Store, query: str, expected: str
) -> None:
    assert expected in names(people, query)


def test_every_word_must_match(people: Store) -> None:
    assert names(people, "marcus harris") == ["O'Brien"]
    assert names(people, "marcus dublin") == []


def test_registration_id_and_ticket_code(store: Store) -> None:
    with store.reading() as session:
        first = search(session, "R100001")
        assert [a.external_id for a in first] == ["R100001"]


@pytest.mark.parametrize(
    "query",
    [
        *["", "   ", "'", "%", "_", "\\", "' OR 1=1 --", "\x00", "a" * 10_000, "\U0001f600"],
        *['"', "*", "NOT", "and or", "NEAR(a b)", "^ham", "-polizei", "col:val", "{a b}", "a AND NOT b"],
    ],
)
def test_hostile_or_empty_queries_never_fail(people: Store, query: str) -> None:
    with people.reading() as session:
        found = search(session, query)
        assert count_matches(session, query) >= len(found) or len(found) == 50


def test_wildcard_characters_do_not_broaden_a_search(people: Store) -> None:
    assert names(people, "%") == [] and names(people, "_") == [] and names(people, "*") == []
    assert names(people, "polizei NOT hamburg") == []  # words, not the full-text engine's operators
    assert names(people, "-hamburg") == ["Müller"]
    assert names(people, "m%") == names(people, "m")
    assert names(people, "zzzz") == []


def test_results_are_sorted_by_name(store: Store, now) -> None:
    for first, last in [("Zed", "Mullins"), ("Amy", "Muller"), ("Bob", "Müller"), ("Al", "Mulligan")]:
        desk.register_walk_in(store, desk.WalkIn(first, last, status=Status.PAID), now)
    with store.reading() as session:
        found = [f"{a.first_name} {a.last_name}" for a in search(session, "mull", limit=200)]
    ours = [name for name in found if name in {"Zed Mullins", "Amy Muller", "Bob Müller", "Al Mulligan"}]
    assert ours == ["Amy Muller", "Bob Müller", "Al Mulligan", "Zed Mullins"]


def test_limit_counts_people_not_matching_words(store: Store, now) -> None:
    """Someone matching through many words still takes one place, and the limit is still filled."""
    desk.register_walk_in(
        store,
        desk.WalkIn(
            "Sam Sal Sid", "Sanders", "sam.sal@sanders-sales.org", "Sanders Safety Supply Services", status=Status.PAID
        ),
        now,
    )
    with store.reading() as session:
        found = search(session, "s", limit=30)
        assert len(found) == 30 == len({a.id for a in found})
        assert count_matches(session, "s") > 30


def test_surnames_that_begin_with_what_was_typed_come_first(store: Store, now) -> None:
    """ "smi" is the start of Smith: Sandra Miller (found through smiller@…) and Ann Adams (of Smithfield
    Schools) come after every Smi… surname."""
    for first, last, email, org in [
        ("Sandra", "Miller", "smiller@navigate.org", "Navigate"),
        ("Zoe", "Smith", "zs@x.org", "Reno PD"),
        ("Ann", "Adams", "aa@x.org", "Smithfield Schools"),
        ("Al", "Smirnova", "as@x.org", "Reno PD"),
    ]:
        desk.register_walk_in(store, desk.WalkIn(first, last, email, org, status=Status.PAID), now)
    with store.reading() as session:
        found = [f"{a.first_name} {a.last_name}" for a in search(session, "smi", limit=500)]
        assert found.index("Al Smirnova") < found.index("Zoe Smith") < found.index("Sandra Miller")
        assert found.index("Zoe Smith") < found.index("Ann Adams")
        assert {"Sandra Miller", "Ann Adams"} <= set(found)
        assert [a.last_name for a in search(session, "Smith, Z")] == ["Smith"]  # typed as the list shows names


def test_a_surname_of_several_words_typed_in_full_comes_first(people: Store, now) -> None:
    desk.register_walk_in(
        people, desk.WalkIn("Von", "Hoffmann", "vh@x.org", "Hohenzollern Schools", status=Status.PAID), now
    )
    assert names(people, "von hoh")[0] == "von Hohenzollern-Sigmaringen"
    assert names(people, "o br")[0] == "Ó Briain"


def test_a_correction_moves_the_person_in_the_index_and_leaves_no_trace_of_the_old_name(people: Store, now) -> None:
    with people.reading() as session:
        [ana] = search(session, "garcia marquez")
    desk.correct(people, ana.id, {"last_name": "Quintero", "organization": "Reno PD"}, now)
    assert names(people, "marquez") == [] and names(people, "ana garcia") == [] and names(people, "50 schools") == []
    assert names(people, "quint") == ["Quintero"] and names(people, "ana reno") == ["Quintero"]
    check_index_is_sound(people)


def test_rebuilding_the_projections_rebuilds_the_index(people: Store, now) -> None:
    with people.unit_of_work() as session:
        session.execute(text("DELETE FROM search_entry"))
    assert names(people, "polizei ham") == []
    with people.unit_of_work() as session:
        rebuild(session)
    assert names(people, "polizei ham") == ["Müller"] and names(people, "vonhohen") == ["von Hohenzollern-Sigmaringen"]
    check_index_is_sound(people)


def test_a_database_made_before_the_full_text_index_is_searchable_once_opened(tmp_path: Path, now) -> None:
    """A station's file from revision 0009 (a row per word) opened by this version: everyone is found."""
    path = tmp_path / "old.sqlite"
    store = open_store(path, "Desk 1")
    with store.unit_of_work() as session:
        build_demo(session, attendees=40)
    desk.register_walk_in(
        store, desk.WalkIn("Jörg", "Müller", "jm@hamburg.de", "Polizei Hamburg", status=Status.PAID), now
    )
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    store.close()
    store = open_store(path)
    assert current_revision(store.engine) == head_revision()
    assert names(store, "jorg polizei") == ["Müller"]
    with store.reading() as session:
        assert count_matches(session, "r1") == 40  # every demo registration id, R100001…
    check_index_is_sound(store)


def check_index_is_sound(store: Store) -> None:
    """FTS5's own check that its index holds exactly the words of search_entry's rows: SQLite raises
    "database disk image is malformed" when it does not."""
    with store.unit_of_work() as session:
        session.execute(text("INSERT INTO search_words (search_words, rank) VALUES ('integrity-check', 1)"))
