"""Sync in the windows: the worker's reports carried to the GUI thread, and the line every window shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from checkin.store import Store
from checkin.sync.worker import State, SyncStatus, SyncWorker

Clock = Callable[[], datetime]
COLOURS = {
    State.CONNECTED: "#1b5e20",
    State.CATCHING_UP: "#1b5e20",
    State.CONNECTING: "#455a64",
    State.OFFLINE: "#8d6e00",
    State.REFUSED: "#b71c1c",
}
ICONS = {State.CONNECTED: "●", State.CATCHING_UP: "◌", State.CONNECTING: "◌", State.OFFLINE: "▲", State.REFUSED: "✖"}


class SyncLink(QObject):
    """Owns the background worker; ``changed`` fires on the GUI thread after every sync attempt."""

    changed = Signal(object)  # SyncStatus

    def __init__(self, store: Store, url: str, parent: QObject | None = None, **pace: float) -> None:
        super().__init__(parent)
        # The worker calls back on its own thread; emitting a signal of a GUI-thread object queues the call.
        self.worker = SyncWorker(store, url, self.changed.emit, **pace)
        self.status: SyncStatus = self.worker.status
        self.changed.connect(self._remember)

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    @Slot(object)
    def _remember(self, status: SyncStatus) -> None:
        self.status = status


class SyncIndicator(QLabel):
    """One line in the status bar: connected or not, last sync, events waiting, a wrong clock."""

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.status: SyncStatus | None = None
        self.setAccessibleName("Sync status")
        self._render()
        self.ticker = QTimer(self)  # "synced 4 s ago" must keep counting between reports
        self.ticker.timeout.connect(self._render)
        self.ticker.start(1000)

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self._render()

    def _render(self) -> None:
        if self.status is None:
            self.setText("○ No hub: this station works alone")
            self.setToolTip("Start with --hub URL (or `checkin sync --hub URL` once) to share scans with the venue.")
            self.setStyleSheet("color: #455a64;")
            return
        state = self.status.state
        self.setText(f"{ICONS[state]} {self.status.summary(self.clock())}")
        self.setToolTip(f"Hub: {self.status.hub}" + (f"\n{self.status.message}" if self.status.message else ""))
        self.setStyleSheet(f"color: {COLOURS[state]}; font-weight: bold;")


def attach(window: QMainWindow, link: SyncLink | None, clock: Clock) -> SyncIndicator:
    """Put the sync line in the window's status bar, and in those it opens later, and keep them current."""
    indicator = SyncIndicator(clock, window)
    window.statusBar().addPermanentWidget(indicator)
    if link is not None:
        indicator.show_status(link.status)
        link.changed.connect(indicator.show_status)
        hook = getattr(window, "sync_changed", None)
        if hook is not None:
            link.changed.connect(hook)
    opened = getattr(window, "window_opened", None)  # the desk's dashboard (Ctrl+D)
    if opened is not None:
        opened.connect(lambda other: attach(other, link, clock))
    return indicator
