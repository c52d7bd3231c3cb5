"""Folding text for search and duplicate checks: case-, accent- and punctuation-insensitive."""

from __future__ import annotations

import re

from anyascii import anyascii

_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII transliteration without apostrophes: "O'Brien" -> "obrien", "Müller" -> "muller"."""
    return _APOSTROPHES.sub("", anyascii(text)).lower()


def words(text: str) -> list[str]:
    """The folded words of ``text``: "Hohenzollern-Sigmaringen" -> ["hohenzollern", "sigmaringen"]."""
    return [w for w in _NOT_WORD.split(fold(text)) if w]


def search_tokens(*fields: str) -> set[str]:
    """Every word of every field, plus each whole field squeezed (so "vonhohen" and a full email match)."""
    tokens: set[str] = set()
    for field in fields:
        parts = words(field)
        tokens.update(parts)
        if len(parts) > 1:
            tokens.add("".join(parts))
    return {t[:200] for t in tokens}


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for an index range)."""
    return prefix + "\uffff"


def counted(count: int, singular: str, plural: str = "") -> str:
    """ "1 badge", "2 badges", "1,204 people": a count with its noun in the right number."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"
