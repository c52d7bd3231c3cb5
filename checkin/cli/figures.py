"""`checkin stats`: check-in progress at a glance. A module of its own, so the command loads only the store
and the figures (not the badge signing and scanning a desk's commands need): it is the one people run often."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from checkin.cli.common import OK, Define, open_db, print_json
from checkin.conference import stats


def add_commands(command: Define) -> None:
    st = command("stats", cmd_stats)
    st.add_argument("--json", action="store_true")


def cmd_stats(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.reading() as session:
        figures = stats(session)
    if args.json:
        print_json({**asdict(figures), "percent_checked_in": round(figures.percent_checked_in, 1)})
        return OK
    print(figures.conference)
    print(
        f"Checked in {figures.checked_in:,} of {figures.registered:,} ({figures.percent_checked_in:.1f}%); "
        f"{figures.unpaid:,} unpaid, {figures.cancelled:,} cancelled, {figures.walk_ins:,} walk-ins"
    )
    for reg_type, (registered, arrived) in figures.by_type.items():
        print(f"  {reg_type or '(none)':<18} {arrived:>6,} / {registered:<6,}")
    for code, count in figures.entitlements_given.items():
        print(f"  given: {code:<12} {count:,}")
    return OK
