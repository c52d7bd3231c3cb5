"""Folding text for search and duplicate checks: case-, accent- and punctuation-insensitive."""

from __future__ import annotations

import re

from anyascii import anyascii

_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_WORD = re.compile(r"[a-z0-9]+")


class _Transliterations(dict[int, str]):
    """A str.translate table of each character's anyascii transliteration (which depends on that character
    alone), looked up once per character: an import folds a quarter of a million words."""

    def __missing__(self, codepoint: int) -> str:
        self[codepoint] = ascii_ = anyascii(chr(codepoint))
        return ascii_


_ASCII = _Transliterations()


def fold(text: str) -> str:
    """Lower-case ASCII transliteration without apostrophes: "O'Brien" -> "obrien", "Müller" -> "muller"."""
    return _APOSTROPHES.sub("", text if text.isascii() else text.translate(_ASCII)).lower()


def words(text: str) -> list[str]:
    """The folded words of ``text``: "Hohenzollern-Sigmaringen" -> ["hohenzollern", "sigmaringen"]."""
    return _WORD.findall(fold(text))


def search_tokens(*fields: str) -> set[str]:
    """Every word of every field, plus each whole field squeezed (so "vonhohen" and a full email match)."""
    tokens: set[str] = set()
    for folded in fold("\n".join(fields)).split("\n"):  # one fold for all: an import makes 20,000 of these
        parts = _WORD.findall(folded)
        tokens.update(parts)
        if len(parts) > 1:
            tokens.add("".join(parts))
    return tokens


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for an index range)."""
    return prefix + "\uffff"


def counted(count: int, singular: str, plural: str = "") -> str:
    """ "1 badge", "2 badges", "1,204 people": a count with its noun in the right number."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"
