"""Choosing a file without reading the files around it.

Qt's file dialog asks Qt's MIME database for each listed file's icon and type, and that reads the first bytes
of files whose name does not settle it: the station's own `muster.sqlite-wal` and `-shm` among them, when the
export sits beside the database. Closing any descriptor of a file drops every POSIX lock this process holds
on it, SQLite's included; another process on the same database then took the -wal and -shm for abandoned and
deleted them under the running app. This picker names icons and types from the file name alone, and is always
Qt's own dialog, so no platform dialog in this process reads the folder either.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget


class NamesOnlyIcons(QFileIconProvider):
    """A folder or a file icon and a type named after the extension: nothing is opened to find out."""

    def icon(self, what: QFileInfo | QFileIconProvider.IconType) -> QIcon:  # type: ignore[override]
        if isinstance(what, QFileInfo):
            kind = QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File
            return super().icon(kind)
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        suffix = info.suffix().upper()
        return f"{suffix} file" if suffix else "File"


def file_picker(parent: QWidget | None, title: str, folder: Path, filters: str) -> QFileDialog:
    """Qt's own open-file dialog, on `folder`, naming files without reading them."""
    dialog = QFileDialog(parent, title, str(folder), filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    icons = NamesOnlyIcons()
    dialog.setIconProvider(icons)
    dialog.icons = icons  # type: ignore[attr-defined]  # Qt does not own the provider: keep it alive
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return dialog


def choose_file(parent: QWidget | None, title: str, folder: Path, filters: str) -> Path | None:
    """The file the person picked, or None when they cancelled."""
    dialog = file_picker(parent, title, folder, filters)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])
