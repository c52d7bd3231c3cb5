"""Whom Enter acts on at the desk, when a search lists people."""

from __future__ import annotations


def acts_on_selection(matches: int, picked: bool) -> bool:
    """Enter acts on the selected row when it is the only match, or when the volunteer moved to it: with
    several matches the top row is only where the list starts, not a choice (33 "Smith"s, one of them first)."""
    return matches == 1 or picked
