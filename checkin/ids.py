"""Identifiers made on the station: UUIDv7, so ids sort by creation time across stations."""

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())
