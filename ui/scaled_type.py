"""Type that grows with its window: a door or kiosk screen is read from 2-3 m, on whatever screen it has.

Each label is given its size for the design window (1366x768 full screen, the smallest laptop a venue has);
on every resize the sizes follow the window's height and width (whichever leaves less room), so a 1920x1080
screen shows the count, the verdict and the name 1.4 times larger, and a small window shrinks them rather
than cutting them off.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import QLabel, QWidget

from ui.watching import watch

DESIGN = QSize(1366, 768)
SMALLEST, LARGEST = 0.6, 3.0


class ScaledType(QObject):
    def __init__(self, window: QWidget, design: QSize = DESIGN) -> None:
        super().__init__()
        self.window, self.design = weakref.ref(window), design
        self.scale = 1.0
        self._sized: list[Callable[[float], None]] = []
        watch(window, self)

    def label(self, label: QLabel, points: float, style: str = "") -> None:
        """``label`` in ``points`` at the design size, with the rest of its style sheet in ``style``; called
        again for the same label (a colour that follows a state), the new style replaces the old."""
        self._sized = [s for s in self._sized if not (isinstance(s, _LabelStyle) and s.label is label)]
        self.follow(_LabelStyle(label, points, style))

    def follow(self, resize: Callable[[float], None]) -> None:
        """Call ``resize`` with the scale now and after every resize (for widgets that draw their own type)."""
        self._sized.append(resize)
        resize(self.scale)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.window():
            size = watched.size()
            scale = min(size.width() / self.design.width(), size.height() / self.design.height())
            scale = round(max(SMALLEST, min(LARGEST, scale)), 2)
            if scale != self.scale:
                self.scale = scale
                for resize in self._sized:
                    resize(scale)
        return False


class _LabelStyle:
    def __init__(self, label: QLabel, points: float, style: str) -> None:
        self.label, self.points, self.style = label, points, style

    def __call__(self, scale: float) -> None:
        self.label.setStyleSheet(f"font-size: {self.points * scale:.1f}pt; {self.style}")
