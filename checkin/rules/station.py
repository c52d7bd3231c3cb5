"""A station's name, as people read it in messages ("already checked in at 08:12 by Desk 3") and lists."""

from __future__ import annotations

import unicodedata

LONGEST = 40


class BadStationName(ValueError):
    pass


def readable_name(text: str) -> str:
    """``text`` as a station's name (runs of spaces made one), or BadStationName saying what to change."""
    name = " ".join(text.split())
    if not name:
        raise BadStationName("a station needs a name people can read, such as 'Desk 3' or 'Hall B door'")
    if len(name) > LONGEST:
        raise BadStationName(f"a station's name is at most {LONGEST} characters; '{name[:LONGEST]}…' is longer")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise BadStationName("a station's name is letters, digits and punctuation, without control characters")
    return name
