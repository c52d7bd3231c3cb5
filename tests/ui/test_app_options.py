"""`checkin-app` options: scanner timing is validated and remembered."""

from __future__ import annotations

import pytest

from ui.app import parse_args, wedge_settings


def test_scanner_timing_is_remembered_between_starts(qapp) -> None:
    first = wedge_settings(parse_args(["--scan-gap-ms", "55", "--scan-min-length", "8"]))
    assert (first.max_gap_ms, first.min_length) == (55.0, 8)
    later = wedge_settings(parse_args([]))
    assert (later.max_gap_ms, later.min_length) == (55.0, 8)


@pytest.mark.parametrize("bad", [["--scan-gap-ms", "0"], ["--scan-gap-ms", "9000"], ["--scan-min-length", "1"],
                                 ["--scan-gap-ms", "fast"]])
def test_bad_scanner_timing_is_a_usage_error(bad: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args(bad)
    assert stop.value.code == 2
    assert "scan" in capsys.readouterr().err
