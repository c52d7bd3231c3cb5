"""Windows that fit the laptop they open on, and open where they were left.

A venue's laptops are often 1366x768. A window opens at the size it was left at (position, size, maximised,
which screen), else at its natural size when that fits the screen's free area with the window frame, else
maximised; it is never taller or wider than the screen.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtWidgets import QWidget

from ui.watching import watch

FRAME = QSize(16, 48)  # room for a window manager's title bar and borders around the window's own area


def fit_and_remember(window: QWidget, key: str, natural: QSize) -> None:
    """Size ``window`` now, and remember its geometry under ``key`` whenever it is closed or hidden."""
    saved = QSettings().value(f"windows/{key}")
    if not (isinstance(saved, QByteArray | bytes) and window.restoreGeometry(QByteArray(saved))):
        _natural_or_maximised(window, natural)
    watch(window, _Remember(window, key))


def _natural_or_maximised(window: QWidget, natural: QSize) -> None:
    screen = window.screen().availableGeometry()
    room = screen.size() - FRAME
    if natural.width() <= room.width() and natural.height() <= room.height():
        window.resize(natural)
        centre = screen.center()
        window.move(centre.x() - natural.width() // 2, max(screen.top(), centre.y() - natural.height() // 2))
    else:
        window.resize(natural.boundedTo(room))  # the size it returns to when un-maximised
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


class _Remember(QObject):
    def __init__(self, window: QWidget, key: str) -> None:
        super().__init__()
        self.window, self.key = weakref.ref(window), key  # a strong reference would keep the window alive

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        window = self.window()
        if window is None or watched is not window or event.type() not in (QEvent.Type.Close, QEvent.Type.Hide):
            return False
        if not window.isFullScreen():  # full screen is the station's mode, not a size to keep
            QSettings().setValue(f"windows/{self.key}", window.saveGeometry())
        return False
