"""Event filters that live exactly as long as the widget they watch.

A filter made the widget's child (or the widget filtering itself) crashes the app when Python drops the widget:
Python clears the filter's attributes first, and Qt then still sends it the dying widget's last events. So a
watcher here has no parent; it is kept until the widget's ``destroyed`` signal, and holds the widget only weakly
(a strong reference from a kept watcher would keep the widget alive for ever).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

_kept: set[QObject] = set()


def watch(widget: QWidget, watcher: QObject) -> None:
    """Make ``watcher`` ``widget``'s event filter for the rest of the widget's life."""
    _kept.add(watcher)
    widget.installEventFilter(watcher)
    widget.destroyed.connect(lambda: _kept.discard(watcher))  # deleting a filter also uninstalls it
