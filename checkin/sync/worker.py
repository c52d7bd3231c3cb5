"""The background sync loop: a round every few seconds while the hub answers, backing off while it doesn't.

It runs on its own thread (never the GUI's) and reports a ``SyncStatus`` after every attempt; the UI
shows it, the CLI prints it. A scan never waits for it: scans commit locally and the loop carries them.
"""

from __future__ import annotations

import random
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import DBAPIError, OperationalError

from checkin.store import Store
from checkin.store.engine import create_hub_engine
from checkin.sync import credentials
from checkin.sync.hub import HubProblem
from checkin.sync.station import CLOCK_WARNING_S, CatchUp, RoundReport, ago, backlog, clock_against_hub, sync_round

INTERVAL_S = 1.0
MAX_BACKOFF_S = 3.0  # a refused connect costs the hub nothing; a long wait only delays the catch-up


class State(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CATCHING_UP = "catching up"  # connected, applying a pull of more than one batch
    OFFLINE = "offline"  # hub unreachable: working alone, will retry
    REFUSED = "refused"  # hub reachable but unusable (another conference, not prepared); needs a person


@dataclass(frozen=True)
class SyncStatus:
    state: State
    hub: str  # the hub's URL without its password
    backlog: int = 0
    last_sync: datetime | None = None
    clock_offset_s: float | None = None
    message: str = ""
    retry_in_s: float | None = None
    progress: CatchUp | None = None  # while catching up

    def summary(self, now: datetime) -> str:
        waiting = f"{self.backlog:,} waiting" if self.backlog else "nothing waiting"
        if self.state == State.CONNECTED:
            text = f"Synced {_ago(self.last_sync, now)} · {waiting}"
        elif self.state == State.CATCHING_UP and self.progress is not None:
            text = f"Catching up with the hub: {self.progress.done:,} of {self.progress.total:,} events"
        elif self.state == State.CONNECTING:
            text = "Connecting to the hub…"
        elif self.state == State.OFFLINE:
            seen = f"last sync {_ago(self.last_sync, now)}" if self.last_sync else "never synced"
            text = f"Offline, working alone ({seen}) · {waiting}"
        else:
            text = f"Hub refused: {self.message}"
        if self.clock_offset_s is not None and abs(self.clock_offset_s) > CLOCK_WARNING_S:
            text += f" · this clock is {clock_against_hub(self.clock_offset_s)}"
        return text


def _ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else ago((now - moment).total_seconds())


def backoff(failures: int, interval_s: float = INTERVAL_S, ceiling_s: float = MAX_BACKOFF_S) -> float:
    """Seconds to wait after ``failures`` failed rounds in a row: doubling, capped, jittered so that
    thirty stations do not all knock at once when the hub comes back."""
    return min(ceiling_s, interval_s * 2.0 ** max(0, failures - 1)) * random.uniform(0.7, 1.0)


class SyncWorker:
    def __init__(
        self,
        store: Store,
        url: str,
        on_status: Callable[[SyncStatus], None],
        *,
        interval_s: float = INTERVAL_S,
        ceiling_s: float = MAX_BACKOFF_S,
    ) -> None:
        self._store = store
        self._url = url
        self._on_status = on_status
        self._interval_s = interval_s
        self._ceiling_s = ceiling_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="muster-sync", daemon=True)
        self.status = SyncStatus(State.CONNECTING, credentials.shown(url))

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        """Sync now rather than at the next tick (after a scan, or when the user asks)."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        engine = create_hub_engine(self._url)
        failures = 0
        try:
            while not self._stop.is_set():
                delay = self._attempt(engine)
                failures = 0 if self.status.state == State.CONNECTED else failures + 1
                if delay is None:
                    delay = backoff(failures, self._interval_s, self._ceiling_s)
                self._publish(
                    replace(
                        self.status,
                        progress=None,  # a round, however it ended, is over
                        retry_in_s=None if self.status.state == State.CONNECTED else delay,
                    )
                )
                self._wake.wait(delay)
                self._wake.clear()
        finally:
            engine.dispose()

    def _attempt(self, engine: object) -> float | None:
        """One round; returns the delay before the next when it succeeded, None to back off."""
        try:
            report: RoundReport = sync_round(
                self._store,
                engine,  # type: ignore[arg-type]
                on_progress=self._catching_up,
            )
        except HubProblem as problem:
            self.status = replace(self.status, state=State.REFUSED, message=str(problem), backlog=self._local_backlog())
            return None
        except (OperationalError, DBAPIError, OSError) as error:
            refusal = refused_login(error)
            self.status = replace(
                self.status,
                state=State.REFUSED if refusal else State.OFFLINE,
                message=refusal or _first_line(error),
                backlog=self._local_backlog(),
            )
            return None
        except Exception as error:  # a bug must not end the loop silently: say so, keep scanning, retry
            traceback.print_exc()
            self.status = replace(
                self.status,
                state=State.REFUSED,
                message=f"sync failed: {_first_line(error)}",
                backlog=self._local_backlog(),
            )
            return None
        self.status = replace(
            self.status,
            state=State.CONNECTED,
            backlog=report.backlog,
            last_sync=report.finished_at,
            clock_offset_s=report.clock_offset_s,
            message="",
        )
        return self._interval_s

    def _catching_up(self, progress: CatchUp) -> None:
        self._publish(replace(self.status, state=State.CATCHING_UP, progress=progress, retry_in_s=None))

    def _local_backlog(self) -> int:
        with self._store.writing() as connection:
            return backlog(connection, self._store.station.id)

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self._on_status(status)


def refused_login(error: BaseException) -> str | None:
    """Words for a hub that answered but turned this station away (no retry will fix that), else None."""
    text = _first_line(error)
    if "certificate verify failed" in text or "does not support SSL" in text:
        return (
            "the hub is not the one this station was enrolled with (another certificate, or no TLS): something on "
            "the network may be posing as it. If the hub was set up anew, enroll this station again"
        )
    if "not permitted to log in" in text:
        return "the hub has revoked this station's access: ask the organiser for a new enrollment code"
    if "password authentication failed" in text:
        return "the hub refused the login: check the user and password in the hub URL"
    if "database" in text and "does not exist" in text:
        return f"the hub has no such database ({text.split('database', 1)[1].strip()})"
    return None


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__
