"""Reading badge codes out of camera frames or still images (zxing-cpp), and calming repeated reads.

A camera sees the same QR in every frame for as long as it is held up; ``Debouncer`` passes each
code on once and again only after it has been out of sight for a moment.
"""

from __future__ import annotations

from typing import Any

import zxingcpp

# Asking for only the two formats a badge carries is ~6x faster than asking for all of them.
BADGE_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.Code128)


def decode(image: Any) -> list[str]:
    """The texts of the QR codes and Code 128 barcodes in a grayscale or BGR numpy array or a PIL image."""
    # A tuple, as zxing-cpp asks (its | on formats is deprecated), though its type stubs still say BarcodeFormats.
    found = zxingcpp.read_barcodes(image, formats=BADGE_FORMATS)  # type: ignore[arg-type]
    return [code.text for code in found if code.valid]


class Debouncer:
    """Lets a code through once; again only after it was absent for ``quiet_s`` seconds."""

    def __init__(self, quiet_s: float = 2.0) -> None:
        self.quiet_s = quiet_s
        self._last_seen: dict[str, float] = {}

    def fresh(self, texts: list[str], now_s: float) -> list[str]:
        new = [text for text in dict.fromkeys(texts) if now_s - self._last_seen.get(text, float("-inf")) > self.quiet_s]
        for text in texts:
            self._last_seen[text] = now_s
        if len(self._last_seen) > 500:
            self._last_seen = {t: s for t, s in self._last_seen.items() if now_s - s <= self.quiet_s}
        return new
