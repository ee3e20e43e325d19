"""Group commit on a real SQLite file: concurrent units share one transaction, each caller is
answered only after the commit that holds its write, and one failing unit fails alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from services.common.group_commit import Gathered, GroupCommit

ROWS = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


class Database:
    """A SQLite file and the transactions opened on it, in order."""

    def __init__(self, path: Path) -> None:
        self.engine = sa.create_engine(f"sqlite:///{path}")
        ROWS.metadata.create_all(self.engine)
        self.transactions = 0
        self.fail_begin: type[BaseException] | None = None

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        if self.fail_begin is not None:
            raise self.fail_begin("the database is down")
        self.transactions += 1
        with self.engine.begin() as connection:
            yield connection

    def stored(self) -> set[int]:
        with self.engine.connect() as connection:
            return {row.id for row in connection.execute(sa.select(ROWS))}


def insert(row_id: int, then: Callable[[], None] = lambda: None) -> Callable[[Any], int]:
    def work(connection: sa.Connection) -> int:
        connection.execute(ROWS.insert().values(id=row_id))
        then()
        return row_id

    return work


def fail(error: BaseException) -> Callable[[Any], int]:
    def work(connection: sa.Connection) -> int:
        raise error

    return work


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "group.db")


def run_as_one_group(
    committer: GroupCommit[sa.Connection], db: Database, works: list[Callable[[Any], int]]
) -> list[int | BaseException]:
    """Holds a first unit inside its transaction until every work is queued behind it, so the
    works make up the next group; returns each work's result or error, in order."""
    entered, release = threading.Event(), threading.Event()

    def first_then_wait() -> None:
        entered.set()
        release.wait()

    outcomes: list[int | BaseException] = [0] * len(works)

    def call(index: int) -> None:
        try:
            outcomes[index] = committer.run(works[index])
            assert index + 1000 in db.stored() or isinstance(outcomes[index], BaseException)
        except BaseException as exc:  # the test reads what each caller got
            outcomes[index] = exc

    first = threading.Thread(target=committer.run, args=(insert(-1, first_then_wait),))
    first.start()
    entered.wait()
    callers = [threading.Thread(target=call, args=(i,)) for i in range(len(works))]
    for thread in callers:
        thread.start()
    while committer.waiting < len(works):
        time.sleep(0.001)  # wait for every caller to queue; nothing here is timed
    release.set()
    for thread in [first, *callers]:
        thread.join()
    return outcomes


def test_concurrent_units_share_one_commit_and_return_after_it(db: Database) -> None:
    committer = GroupCommit(db.begin)
    outcomes = run_as_one_group(committer, db, [insert(1000 + i) for i in range(20)])
    assert outcomes == [1000 + i for i in range(20)]
    assert db.transactions == 2  # the held first unit, then the twenty together
    assert db.stored() == {-1, *range(1000, 1020)}


def test_an_isolated_error_fails_its_unit_alone(db: Database) -> None:
    committer = GroupCommit(db.begin, isolated=(LookupError,))
    works = [insert(1000), fail(LookupError("stale version")), insert(1002)]
    outcomes = run_as_one_group(committer, db, works)
    assert outcomes[0] == 1000 and outcomes[2] == 1002
    assert isinstance(outcomes[1], LookupError)
    assert db.transactions == 2
    assert db.stored() == {-1, 1000, 1002}


def test_a_failed_group_is_retried_unit_by_unit(db: Database) -> None:
    committer = GroupCommit(db.begin)
    works = [insert(1000), fail(RuntimeError("bad row")), insert(1002)]
    outcomes = run_as_one_group(committer, db, works)
    assert outcomes[0] == 1000 and outcomes[2] == 1002
    assert isinstance(outcomes[1], RuntimeError)
    assert db.transactions == 2 + 3  # the group rolled back, then each unit alone
    assert db.stored() == {-1, 1000, 1002}


def test_a_shared_failure_fails_every_caller_without_retries(db: Database) -> None:
    committer = GroupCommit(db.begin, shared_failures=(ConnectionError,))
    db.fail_begin = ConnectionError
    with pytest.raises(ConnectionError):
        committer.run(insert(1))
    db.fail_begin = None
    assert committer.run(insert(2)) == 2
    assert db.stored() == {2}


def test_a_lone_caller_commits_at_once(db: Database) -> None:
    committer = GroupCommit(db.begin)
    assert [committer.run(insert(i)) for i in range(3)] == [0, 1, 2]
    assert db.transactions == 3 and committer.waiting == 0


def test_gathered_calls_are_processed_as_one_group() -> None:
    entered, release = threading.Event(), threading.Event()
    groups: list[list[int]] = []

    def process(items: list[int]) -> list[tuple[Any, BaseException | None]]:
        groups.append(items)
        if items == [0]:
            entered.set()
            release.wait()
        return [(None, ValueError(i)) if i == 3 else (i * 10, None) for i in items]

    gathered: Gathered[int, int] = Gathered(process)
    answers: dict[int, object] = {}

    def call(item: int) -> None:
        try:
            answers[item] = gathered.run(item)
        except ValueError as exc:
            answers[item] = exc

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    threads[0].start()
    entered.wait()
    for thread in threads[1:]:
        thread.start()
    while gathered.waiting < 5:
        time.sleep(0.001)  # wait for every caller to queue; nothing here is timed
    release.set()
    for thread in threads:
        thread.join()
    assert groups[0] == [0] and sorted(groups[1]) == [1, 2, 3, 4, 5] and len(groups) == 2
    assert {i: a for i, a in answers.items() if i != 3} == {0: 0, 1: 10, 2: 20, 4: 40, 5: 50}
    assert isinstance(answers[3], ValueError)


def test_a_leader_waits_for_its_group_to_fill_with_the_callers_seen_in_flight() -> None:
    """Callers 1-3 queue behind a held group of caller 0 (four in flight at once); once that
    group is answered, the next leader waits for a fourth caller before taking its group,
    instead of taking the three queued at once. The gap allowed between arrivals is far longer
    than the test, so what is gathered does not depend on timing."""
    entered, release = threading.Event(), threading.Event()
    groups: list[list[int]] = []

    def process(items: list[int]) -> list[tuple[Any, BaseException | None]]:
        groups.append(sorted(items))
        if items == [0]:
            entered.set()
            release.wait()
        return [(i, None) for i in items]

    gathered: Gathered[int, int] = Gathered(process, gather_seconds=600)
    threads = [threading.Thread(target=gathered.run, args=(i,)) for i in range(5)]
    threads[0].start()
    entered.wait()
    for thread in threads[1:4]:
        thread.start()
    while gathered.waiting < 3:
        time.sleep(0.001)  # wait for every caller to queue; nothing here is timed
    release.set()
    threads[0].join()  # caller 0 answered: the next group is being gathered
    threads[4].start()
    for thread in threads:
        thread.join()
    assert groups == [[0], [1, 2, 3, 4]]


def test_a_lone_caller_never_waits_for_a_group_to_fill() -> None:
    """One caller at a time: nobody else was ever in flight, so no leader waits (a wait would
    last the ten minutes allowed between arrivals)."""
    groups: list[list[int]] = []

    def process(items: list[int]) -> list[tuple[Any, BaseException | None]]:
        groups.append(items)
        return [(i * 10, None) for i in items]

    gathered: Gathered[int, int] = Gathered(process, gather_seconds=600)
    assert [gathered.run(i) for i in range(3)] == [0, 10, 20]
    assert groups == [[0], [1], [2]]
