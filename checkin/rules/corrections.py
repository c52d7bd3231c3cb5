"""What a correction changed, in the words a volunteer would use: "marked paid; email now ann@example.org"."""

from __future__ import annotations

from collections.abc import Mapping

_FIELD_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "organization": "organisation",
    "registration_type": "registration type",
    "email": "email",
}


def what_changed(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """The fields whose value differs, each with its new value; empty when nothing did."""
    said = []
    for field in ("status", *_FIELD_WORDS):
        old, new = before.get(field, ""), after.get(field, "")
        if field not in after or old == new:
            continue
        if field == "status":
            said.append(f"marked {new}")
        elif new:
            said.append(f"{_FIELD_WORDS[field]} now {new}")
        else:
            said.append(f"{_FIELD_WORDS[field]} removed")
    return "; ".join(said)
