"""Scan or typing, judged by the whole burst of keys (checkin.rules.burst)."""

from __future__ import annotations

import pytest

from checkin.rules.burst import Burst, BurstRules, could_be_scan, judge, wait_ms

RULES = BurstRules()


def gaps(*values: float) -> list[float]:
    return list(values)


@pytest.mark.parametrize(
    ("name", "between", "terminated", "expected"),
    [
        ("a scanner at ease", [3.0] * 40, True, Burst.SCAN),
        ("one late key on a busy laptop", [3.0] * 20 + [43.0] + [3.0] * 19, True, Burst.SCAN),
        ("two late keys, one very late", [3.0] * 10 + [120.0] + [3.0] * 10 + [230.0] + [3.0] * 5, True, Burst.SCAN),
        ("a late second key", [60.0] + [3.0] * 30, True, Burst.SCAN),
        ("keys lost: no terminator", [3.0] * 25, False, Burst.PARTIAL),
        ("a stall longer than any late key", [3.0] * 10 + [400.0] + [3.0] * 10, True, Burst.TYPING),
        ("a person typing", [150.0, 180.0, 120.0, 160.0, 140.0], True, Burst.TYPING),
        ("a fast typist with rollover", [60.0, 35.0, 70.0, 30.0, 90.0], True, Burst.TYPING),
        ("a short fast burst and Enter: typed, and said where nothing takes typing", [5.0] * 4, True, Burst.SHORT),
        ("a person typing 50 ms apart", [50.0] * 8, True, Burst.TYPING),
        ("a loaded laptop's slow start", [41.0, 51.0, 48.0, 52.0] + [12.0] * 40 + [76.0, 9.0] * 10, True, Burst.SCAN),
    ],
)
def test_bursts(name: str, between: list[float], terminated: bool, expected: Burst) -> None:
    assert judge(between, RULES, terminated=terminated) is expected, name


def test_the_pace_of_the_whole_burst_decides_not_one_gap() -> None:
    late_here_and_there = [3.0] * 30
    for n in (5, 10, 15, 20):
        late_here_and_there[n] = 90.0
    assert judge(late_here_and_there, RULES, terminated=True) is Burst.SCAN
    mostly_slow = [60.0, 3.0] * 10 + [60.0]  # more gaps at a person's pace than at a scanner's
    assert judge(mostly_slow, RULES, terminated=True) is Burst.TYPING


def test_keys_are_held_only_while_a_scan_is_possible_and_briefly_for_a_first_key() -> None:
    assert wait_ms([], RULES) == RULES.first_wait_ms  # a person's key waits 0.1 s at most
    assert wait_ms([150.0], RULES) == RULES.first_wait_ms
    assert wait_ms([76.0, 56.0, 48.0, 48.0], RULES) == RULES.late_gap_ms  # a loaded laptop's scan, starting
    assert wait_ms([4.0], RULES) == RULES.late_gap_ms  # a scanner's burst waits for a late key
    assert could_be_scan([60.0, 3.0, 3.0, 200.0], RULES)
    assert not could_be_scan([3.0, 300.0], RULES)
    assert not could_be_scan([150.0], RULES)  # a person's second key: the first was given back already


def test_a_scanners_short_code_is_its_own_kind() -> None:
    from checkin.rules.burst import Burst, BurstRules, judge

    rules = BurstRules()
    assert judge([8, 8, 8, 8], rules, terminated=True) is Burst.SHORT  # 5 keys at a scanner's pace, then Enter
    assert judge([8] * 9, rules, terminated=True) is Burst.SCAN
    assert judge([120, 150, 130, 140], rules, terminated=True) is Burst.TYPING  # a person's pace
