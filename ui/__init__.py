"""Muster's PySide6 user interface: translates between people and the core in `checkin`."""
