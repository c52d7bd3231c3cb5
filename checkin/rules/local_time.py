"""Times as people at the venue read them: on the conference's clock, with the day only when it is not today."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_moment(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """'08:12' today, 'Tue 08:12' on another day of the conference."""
    here = moment.astimezone(zone)
    if here.date() == now.astimezone(zone).date():
        return here.strftime("%H:%M")
    return here.strftime("%a %H:%M")
