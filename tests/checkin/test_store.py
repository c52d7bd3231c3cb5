import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from checkin.events import bulk_append
from checkin.ids import new_id
from checkin.store import NotADatabase, NotMusters, open_store, search_index
from checkin.store.engine import CHECKPOINT_EVERY_S, CHECKPOINT_LATEST_S, CHECKPOINT_QUIET_S, checkpoint_wait
from checkin.store.migrate import alembic_config, current_revision, head_revision, known_revisions
from checkin.store.models import Base
from tests.conftest import wait_until


def test_migration_from_an_empty_file_builds_exactly_the_models(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.sqlite")
    assert current_revision(store.engine) == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": search_index.modelled})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert search_index.WORDS in tables  # SQLite's full-text index, made by the migration


def test_the_revisions_read_from_file_names_are_alembics() -> None:
    """Opening a database compares its revision with the newest file name, without loading Alembic."""
    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}


def test_commits_are_durable_wal_with_full_sync(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_a_thread_of_the_store_copies_the_log_into_the_file_before_a_commit_has_to(tmp_path: Path) -> None:
    path, log = tmp_path / "s.sqlite", tmp_path / "s.sqlite-wal"
    store = open_store(path, "Door 1")
    size = path.stat().st_size
    at = datetime(2027, 6, 28, 13, 0, tzinfo=UTC)
    with store.unit_of_work() as session:  # in WAL mode only a checkpoint writes the database file
        bulk_append(
            session,
            [
                {
                    "id": new_id(),
                    "kind": "entered",
                    "station_id": store.station.id,
                    "station_time": at,
                    "attendee_id": new_id(),
                    "payload": {"room_id": new_id(), "door": "Main door", "note": "x" * 200},
                }
                for _ in range(1500)
            ],
        )
    with store.writing() as connection:
        threshold = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        page = connection.exec_driver_sql("PRAGMA page_size").scalar()
    assert 1_000_000 < log.stat().st_size < threshold * page  # too little for the commit to checkpoint it
    wait_until(lambda: path.stat().st_size > size + 1_000_000, 30, "the log was never copied into the file")
    store.close()
    assert not log.exists()  # closed cleanly: everything is in the file


def test_the_log_is_copied_once_a_second_in_a_pause_between_writes_or_late_when_they_never_pause() -> None:
    copied = 100.0
    due = copied + CHECKPOINT_EVERY_S
    assert checkpoint_wait(copied + 0.25, copied + 0.25, copied) == pytest.approx(CHECKPOINT_EVERY_S - 0.25)
    assert checkpoint_wait(due, due - 5, copied) == 0  # due, and nothing written for seconds: copy now
    assert checkpoint_wait(due, due, copied) == pytest.approx(CHECKPOINT_QUIET_S)  # due, but just written: wait
    assert checkpoint_wait(due + CHECKPOINT_QUIET_S, due, copied) == pytest.approx(0)  # the pause came
    late = copied + CHECKPOINT_LATEST_S  # writes every millisecond, never a pause
    assert checkpoint_wait(late - 0.001, late - 0.001, copied) == pytest.approx(0.001)
    assert checkpoint_wait(late, late, copied) == 0


def test_station_identity_is_kept_and_renamed(tmp_path: Path) -> None:
    first = open_store(tmp_path / "s.sqlite", "Desk 1")
    first.close()
    again = open_store(tmp_path / "s.sqlite")
    assert again.station == first.station
    renamed = open_store(tmp_path / "s.sqlite", "Desk 7")
    assert renamed.station.id == first.station.id
    assert renamed.station.name == "Desk 7"


def test_reopening_a_migrated_file_keeps_its_data(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite", "Desk 1")
    with store.unit_of_work() as session:
        session.execute(text("INSERT INTO setting (key, value) VALUES ('probe', 'kept')"))
    store.close()
    with open_store(tmp_path / "s.sqlite").engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM setting WHERE key = 'probe'")).scalar() == "kept"


def test_a_path_that_cannot_hold_musters_data_is_refused_in_words_and_left_alone(tmp_path: Path) -> None:
    with pytest.raises(NotADatabase, match="is a folder; name a database file in it"):
        open_store(tmp_path)
    picture = tmp_path / "photo.sqlite"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(NotADatabase, match="SQLite says file is not a database"):
        open_store(picture)
    assert picture.read_bytes() == b"\x89PNG\r\n\x1a\n" + bytes(200)
    other = tmp_path / "contacts.db"  # another program's SQLite file, named by mistake
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(NotMusters, match=r"holds another program's tables \(contacts\), not Muster's"):
        open_store(other)
    with sqlite3.connect(other) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == [("contacts",)]


def test_a_stations_database_and_the_folders_made_for_it_are_this_users_alone(tmp_path: Path) -> None:
    import os
    import stat

    from checkin.store import open_store

    os.chmod(tmp_path, 0o755)  # someone's existing folder: left as it is
    path = tmp_path / "new" / "deeper" / "desk.sqlite"
    store = open_store(path, "Desk 1")
    with store.unit_of_work():
        pass
    store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    os.chmod(path, 0o644)  # left wide by an older Muster
    open_store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_write_that_cannot_take_the_lock_raises_sqlalchemys_error_in_time(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE goes straight to the driver; a file another process holds still fails as SQLAlchemy's
    OperationalError (which the CLI and the screens explain), after the store's wait for the lock."""
    path = tmp_path / "s.sqlite"
    store = open_store(path, "Door 1")
    with store.writing() as connection:  # the scan connection, told to wait a tenth of a second for the lock
        connection.exec_driver_sql("PRAGMA busy_timeout=100")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), store.writing():
            pass
    finally:
        other.execute("ROLLBACK")
        other.close()
    with store.writing() as connection:  # and the store writes again once the other lets go
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    store.close()
