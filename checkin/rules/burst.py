"""Scan or typing: a keyboard-wedge scanner and a person both send keys; the whole burst tells them apart.

A scanner sends a code's keys 1-30 ms apart and ends it with Enter or Tab; a person types 80 ms apart and more.
On a busy laptop the window system stamps a scanner's keys unevenly: recorded at 8 busy processes per core
(benchmarks/key_timings.py), 23 of 30 scans had gaps over 40 ms, up to 104 ms, often the first few keys all
40-80 ms apart. One slow gap used to turn a scan into typing: the first part of the code spilled into the search
box and the rest was answered as an unknown code. So a burst is held while it could still be a scan and then
judged whole, by its pace (the median gap) and how it ended:

- SCAN: it ended with Enter or Tab, is long enough, and its median gap is a scanner's;
- PARTIAL: it went at a scanner's pace but stopped without a terminator (keys lost, the scanner stalled): its
  keys go nowhere and the station asks to scan again, so part of a code never lands in a text field;
- SHORT: a scan (pace and terminator) of fewer keys than a code has: typed where the focus is, as typing is
  (a desk's search box finds a 5-digit registration id), and said where nothing takes typing (a kiosk);
- TYPING: anything else; the keys go, unchanged, where they were typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import median

SCAN_AGAIN = "Part of that scan was lost: scan the badge again."


class Burst(StrEnum):
    SCAN = "scan"
    PARTIAL = "partial"
    SHORT = "short"
    TYPING = "typing"


@dataclass(frozen=True)
class BurstRules:
    max_gap_ms: float = 40.0  # a scan's median gap is at most this (scanners: 1-30 ms; people: 80 ms and more)
    late_gap_ms: float = 250.0  # a burst that may be a scan waits this long for a late key
    maybe_scan_ms: float = 80.0  # ... which it may be while its median gap is at most this (a loaded laptop's
    # scans start with keys 40-80 ms apart; only the fastest typists come near it, and only in short bursts)
    first_wait_ms: float = 100.0  # otherwise the next key must come within this: the delay typing can see
    min_length: int = 6  # shorter bursts ending in Enter are a person pressing Enter after typing
    scan_like_after: int = 4  # keys at a scanner's pace before a burst without a terminator counts as one


def wait_ms(gaps: Sequence[float], rules: BurstRules) -> float:
    """How long to hold a burst's keys for the next one before judging it as it stands: long while the burst
    may be a scan (a late key may come), short otherwise (a person's typing waits only this)."""
    return rules.late_gap_ms if gaps and median(gaps) <= rules.maybe_scan_ms else rules.first_wait_ms


def could_be_scan(gaps: Sequence[float], rules: BurstRules) -> bool:
    """Whether every key of the burst came within the wait that applied to it."""
    return all(gap <= wait_ms(gaps[:n], rules) for n, gap in enumerate(gaps))


def scan_like(gaps: Sequence[float], rules: BurstRules) -> bool:
    """Enough keys at a scanner's pace that no person typed them."""
    fast = sum(1 for gap in gaps if gap <= rules.max_gap_ms)
    return fast >= rules.scan_like_after - 1 and median(gaps) <= rules.max_gap_ms and could_be_scan(gaps, rules)


def judge(gaps: Sequence[float], rules: BurstRules, *, terminated: bool) -> Burst:
    """What a finished burst was: ``gaps`` between its keys, ``terminated`` if Enter or Tab ended it (rather
    than a pause, or a key no scanner sends)."""
    keys = len(gaps) + 1
    if not scan_like(gaps, rules):
        return Burst.TYPING
    if not terminated:
        return Burst.PARTIAL
    return Burst.SCAN if keys >= rules.min_length else Burst.SHORT
