"""Registrant export -> attendees: detect the format, validate every row, then write all or nothing."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from checkin.attendees import RECORD_FIELDS, longest, too_long
from checkin.domain import Status
from checkin.importers.formats import (
    FORMATS,
    GENERIC,
    MAPPABLE_FIELDS,
    Format,
    UnknownStatus,
    canonical_type,
    header_key,
    looks_like_formula,
)
from checkin.importers.reading import DEFAULT_MAX_MB, ImportFailed, Problem, Table, clean_cell, read_table
from checkin.importers.writing import ImportReport, write_records

Progress = Callable[[int, int], None]
_NAME_PARTICLES = {
    "von",
    "van",
    "de",
    "del",
    "della",
    "da",
    "di",
    "du",
    "le",
    "la",
    "der",
    "den",
    "ter",
    "dos",
    "das",
    "bin",
    "al",
    "zu",
}


@dataclass(frozen=True)
class Record:
    line: int
    external_id: str
    fields: dict[str, str]  # the RECORD_FIELDS
    formulas: tuple[str, ...] = ()  # columns whose value a spreadsheet would run: kept as text, exported safely


def import_file(
    session: Session,
    path: Path,
    format_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    max_mb: float = DEFAULT_MAX_MB,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` into the session's conference. Raises ImportFailed before writing anything if any
    row is bad; the caller's transaction makes the write itself all-or-nothing."""
    # The table is let go once read into records: its cells are not held while 20,000 people are written.
    records, fmt = parse_records(read_table(path, max_mb), format_name, mapping, progress)
    report = write_records(session, records, fmt.name, progress)
    return replace(report, formulas=[f"line {r.line}, {column}" for r in records for column in r.formulas])


def parse_records(
    table: Table,
    format_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[list[Record], Format]:
    fmt = _choose_format(table, format_name, mapping)
    columns = _resolve_columns(table, fmt, mapping or {})
    records: list[Record] = []
    problems: list[Problem] = _twin_columns(table, columns)
    first_line: dict[str, int] = {}
    total = len(table.rows)
    for done, (line, cells) in enumerate(table.rows, 1):
        record = _record(table, fmt, columns, line, cells, problems)
        if record is not None:
            earlier = first_line.setdefault(record.external_id, line)
            if earlier != line:
                column = table.headers[columns[_id_field(fmt, columns)]]
                problems.append(
                    Problem(
                        line,
                        column,
                        (
                            f"registration id '{record.external_id}' already appears on line {earlier}"
                            + (
                                "; export with the 'Secret' column so each ticket has its own id"
                                if fmt.name == "pretix"
                                else ""
                            )
                        ),
                    )
                )
            else:
                records.append(record)
        if progress and done % 2000 == 0:
            progress(done, total)
        if len(problems) >= 200:
            break
    if problems:
        raise ImportFailed(table.file, problems)
    return records, fmt


def _twin_columns(table: Table, columns: Mapping[str, int]) -> list[Problem]:
    """A column the import reads whose header the file has twice, with other values in the second: which one
    holds the email? Same values (an export that repeats a column) are fine."""
    problems = []
    for index in sorted(set(columns.values())):
        key = header_key(table.headers[index])
        for twin in (i for i, header in enumerate(table.headers) if i != index and header_key(header) == key):
            differs = next((line for line, cells in table.rows if _cell(cells, index) != _cell(cells, twin)), None)
            if differs is not None:
                problems.append(
                    Problem(
                        differs,
                        table.headers[index],
                        (
                            f"the file has two '{table.headers[index]}' columns ({index + 1} and {twin + 1}) "
                            "with different values here; delete or rename the one that should not be imported"
                        ),
                    )
                )
    return problems


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


class UnknownFormat(ImportFailed):
    """The headers are none of the known exports' (the file may still read as a generic CSV)."""


def _choose_format(table: Table, format_name: str | None, mapping: Mapping[str, str] | None) -> Format:
    if format_name:
        if format_name not in FORMATS:
            known = ", ".join(FORMATS)
            raise ImportFailed(table.file, [Problem(None, None, f"unknown format '{format_name}' (known: {known})")])
        return FORMATS[format_name]
    if mapping:
        return GENERIC
    present = {header_key(h) for h in table.headers}
    best: tuple[int, Format] | None = None
    for fmt in FORMATS.values():
        score = sum(
            1 for group in fmt.identifying if all(any(header_key(s) in present for s in fmt.synonyms(f)) for f in group)
        )
        if score and (best is None or score > best[0]):
            best = (score, fmt)
    if best is None:
        headers = ", ".join(f"'{h}'" for h in table.headers[:12])
        raise UnknownFormat(
            table.file,
            [
                Problem(
                    1,
                    None,
                    (
                        f"not a Wild Apricot, Eventbrite or pretix export (headers: {headers}). Import it as a generic "
                        "CSV and name the columns, e.g. --map external_id='Reg No' --map last_name=Surname"
                    ),
                )
            ],
        )
    return best[1]


def _resolve_columns(table: Table, fmt: Format, mapping: Mapping[str, str]) -> dict[str, int]:
    """Field -> column index, from the user's mapping first, then the format's synonyms."""
    by_key: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        by_key.setdefault(header_key(header), index)
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for name, header in mapping.items():
        if name not in MAPPABLE_FIELDS:
            problems.append(Problem(1, header, f"'{name}' is not a field (fields: {', '.join(MAPPABLE_FIELDS)})"))
        elif header_key(header) not in by_key:
            problems.append(Problem(1, header, f"no such column for {name}; the file has: {', '.join(table.headers)}"))
        else:
            columns[name] = by_key[header_key(header)]
    used = set(columns.values())
    names = list(dict.fromkeys([*fmt.columns, *MAPPABLE_FIELDS]))
    for name in names:
        if name in columns:
            continue
        for synonym in fmt.synonyms(name):
            found = by_key.get(header_key(synonym))
            if found is not None and found not in used:
                columns[name] = found
                used.add(found)
                break
    if not any(f in columns for f in fmt.id_fields):
        wanted = " or ".join(f"'{s}'" for f in fmt.id_fields for s in fmt.synonyms(f)[:2])
        problems.append(Problem(1, None, f"missing the registration id column ({wanted})"))
    if "full_name" not in columns and not {"first_name", "last_name"} <= columns.keys():
        problems.append(
            Problem(1, None, ("missing the name columns ('First Name' and 'Last Name', or 'Attendee name')"))
        )
    if problems:
        raise ImportFailed(table.file, problems)
    return columns


def _id_field(fmt: Format, columns: Mapping[str, int]) -> str:
    return next(f for f in fmt.id_fields if f in columns)


def pretix_registration_id(order_code: str, secret: str) -> str:
    """A pretix ticket's registration id: its order's code and a short digest of its secret ("ABC12-7F3A9C").
    The secret itself admits at a kiosk, so it must not show on lists, exports and badges; pretix's check-in
    list has no position number, and one order may hold several tickets; a digest is stable across exports
    and tells nothing about the secret."""
    digest = hashlib.sha256(secret.encode()).hexdigest()[:6].upper()
    return f"{order_code}-{digest}"


# Columns that say whether a registrant may be welcomed: a line that stops before one is never taken as paid.
STATUS_FIELDS = ("registration_status", "attendee_status", "order_type", "paid", "status")


def _last_status_column(columns: Mapping[str, int]) -> int:
    return max((columns[c] for c in STATUS_FIELDS if c in columns), default=-1)


def _record(
    table: Table,
    fmt: Format,
    columns: Mapping[str, int],
    line: int,
    cells: list[str],
    problems: list[Problem],
) -> Record | None:
    values: dict[str, str] = {}
    found = len(problems)
    if len(cells) <= _last_status_column(columns):
        # Not an empty cell: the line stops before the column (a file cut short, a line broken in two).
        cut = next(table.headers[columns[c]] for c in STATUS_FIELDS if c in columns and columns[c] >= len(cells))
        problems.append(
            Problem(line, cut, f"the line ends after {len(cells)} of {len(table.headers)} values, before this column")
        )
        return None
    formulas = []
    for name, index in columns.items():
        raw = cells[index] if index < len(cells) else ""
        values[name] = unicodedata.normalize("NFC", clean_cell(raw))
        # One registrant's '=HYPERLINK(...)' must not stop the morning's import: it is kept as the text it is
        # (exports neutralise it), and the report names it.
        if looks_like_formula(values[name]):
            formulas.append(table.headers[index])
    if len(problems) > found:
        return None
    id_name = _id_field(fmt, columns)
    external_id = values.get(id_name, "")
    if fmt.name == "pretix" and external_id and values.get("order_code"):
        external_id = pretix_registration_id(values["order_code"], external_id)
    if not external_id:
        problems.append(Problem(line, table.headers[columns[id_name]], "the registration id is empty"))
        return None
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if not (first or last):
        first, last = split_name(values.get("full_name", ""))
    if not (first or last):
        column = table.headers[columns.get("last_name", columns.get("full_name", 0))]
        problems.append(Problem(line, column, "the name is empty"))
        return None
    try:
        status, reason = fmt.status(values) or (Status.PAID, "")
    except UnknownStatus as error:
        problems.append(Problem(line, table.headers[columns[error.column]], str(error)))
        return None
    ticket = values.get("registration_type", "")
    fields = {
        "first_name": first,
        "last_name": last,
        "email": values.get("email", ""),
        "organization": values.get("organization", ""),
        "city": values.get("city", ""),
        "region": values.get("region", ""),
        "registration_type": canonical_type(ticket) if ticket else "",
        "ticket": ticket,
        "status": status.value,
        "status_reason": reason if status is Status.CANCELLED else "",
        "ticket_code": values.get("ticket_code", "") or (values.get("secret", "") if fmt.name == "pretix" else ""),
    }
    fields["external_id"] = external_id
    for name in too_long(fields):
        column = table.headers[columns[name]] if name in columns else name
        problems.append(Problem(line, column, f"too long ({len(fields[name])} characters; at most {longest(name)})"))
        return None
    del fields["external_id"]
    assert set(fields) == set(RECORD_FIELDS)
    return Record(line, external_id, fields, tuple(formulas))


def split_name(full: str) -> tuple[str, str]:
    """'Maria de la Cruz' -> ('Maria', 'de la Cruz'); 'Madonna' -> ('', 'Madonna')."""
    parts = full.split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    start = len(parts) - 1
    while start > 1 and parts[start - 1].lower() in _NAME_PARTICLES:
        start -= 1
    return " ".join(parts[:start]), " ".join(parts[start:])
