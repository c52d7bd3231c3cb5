"""Reading a registrant export into header + rows, whatever its encoding and delimiter.

Every failure becomes a ``Problem`` that names the line (1 = the header line) and, where it can,
the column, so an organiser can open the file and fix exactly that cell.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_MB = 32.0
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def describe(self, file: str) -> str:
        where = [file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written. ``problems`` says where and why."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        shown = [p.describe(file) for p in self.problems[:20]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problems")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class Table:
    file: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the record starts, cells)
    encoding: str
    delimiter: str


def read_table(path: Path, max_mb: float = DEFAULT_MAX_MB) -> Table:
    name = str(path)
    if path.is_dir():
        raise ImportFailed(name, [Problem(None, None, "this is a folder; name the CSV file in it")])
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportFailed(name, [Problem(None, None, f"cannot open the file ({error.strerror})")]) from error
    if size > max_mb * 1024 * 1024:
        raise ImportFailed(
            name,
            [
                Problem(
                    None,
                    None,
                    (
                        f"the file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit; an export of 20,000 "
                        "registrants is about 5 MB, so this is probably not a registrant export. If it is, raise the "
                        "limit (--max-mb)."
                    ),
                )
            ],
        )
    try:
        data = path.read_bytes()
    except OSError as error:  # not allowed to read it, a network drive gone
        raise ImportFailed(name, [Problem(None, None, f"cannot read the file ({error.strerror})")]) from error
    return parse_bytes(name, data)


def parse_bytes(name: str, data: bytes) -> Table:
    if not data.strip():
        raise ImportFailed(name, [Problem(None, None, "the file is empty")])
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed(
            name,
            [Problem(None, None, ("this is a spreadsheet workbook (Excel), not CSV: open it and save as 'CSV UTF-8'"))],
        )
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Before decoding, which a program, picture or font would fail with an odd complaint about bytes.
        _refuse_nul(name, data.count(b"\n", 0, data.index(b"\x00")) + 1)
    text, encoding = decode(name, data)
    if text.lstrip("\ufeff \t\r\n").lower().startswith(("<!doctype html", "<html")):
        raise ImportFailed(
            name,
            [
                Problem(
                    None,
                    None,
                    (
                        "this is a web page, not a CSV export: the download probably failed (a login or error page); "
                        "download the export again"
                    ),
                )
            ],
        )
    if "\x00" in text:  # UTF-16 text can hold a NUL too
        _refuse_nul(name, text.count("\n", 0, text.index("\x00")) + 1)
    delimiter = sniff_delimiter(text)
    headers, rows = _parse(name, text, delimiter)
    return Table(name, headers, rows, encoding, delimiter)


def _refuse_nul(name: str, line: int) -> None:
    raise ImportFailed(name, [Problem(line, None, "contains NUL bytes: this is not a text (CSV) file")])


def decode(name: str, data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(name, data, "utf-16"), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return _strict(name, data, "utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if _UTF8_MULTIBYTE.search(data, 0, error.start):
            # Earlier text was real UTF-8, so this is a damaged UTF-8 file, not a cp1252 one.
            raise _undecodable(name, data, error, "utf-8") from error
    return _strict(name, data, "cp1252"), "cp1252"


def _strict(name: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _undecodable(name, data, error, encoding) from error


def _undecodable(name: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> ImportFailed:
    offset = error.start
    if encoding == "utf-16":
        return ImportFailed(name, [Problem(None, None, f"bytes at offset {offset} are not valid UTF-16")])
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    header_end = data.find(b"\n")
    header = data[: header_end if header_end >= 0 else len(data)].decode(encoding, "replace")
    delimiter = sniff_delimiter(header)
    before = data[line_start:offset].decode(encoding, "replace")
    try:
        headers = next(csv.reader([header.lstrip("\ufeff").rstrip("\r")], delimiter=delimiter), [])
        index = len(next(csv.reader([before], delimiter=delimiter), [""])) - 1
        column: str | None = headers[index].strip() if 0 <= index < len(headers) else f"#{index + 1}"
    except csv.Error:  # a lone carriage return, say: the line is named, the column cannot be
        column = None
    bad = data[offset : offset + 4].hex(" ")
    return ImportFailed(
        name,
        [
            Problem(
                line, column, (f"bytes {bad} cannot be read as {encoding.upper()}; save the file again as 'CSV UTF-8'")
            )
        ],
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of , ; or tab occurs most outside quotes."""
    header = _first_line(text)
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def _lines(text: str, starts: list[int]) -> Iterator[str]:
    """The text's lines with their ends, as ``io.StringIO(text, newline="")`` reads them, without its copy of the
    text at four bytes a character; each line's offset is appended to ``starts``."""
    for match in _LINE.finditer(text):
        starts.append(match.start())
        yield match.group()


def _parse(name: str, text: str, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = text.removeprefix("\ufeff")
    starts: list[int] = []  # offset of each line, so the last record can be read again from its first
    reader = csv.reader(_lines(text, starts), delimiter=delimiter, strict=False)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                if headers is None:
                    headers = [clean_header(cell) for cell in record]
                else:
                    problem = _misshapen(record, headers, start, reader.line_num, delimiter)
                    if problem is not None:
                        problems.append(problem)
                    rows.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFailed(name, [Problem(start, None, f"the CSV is malformed here ({error})")]) from error
    if headers is None:
        raise ImportFailed(name, [Problem(None, None, "the file is empty")])
    if not rows:
        raise ImportFailed(name, [Problem(2, None, "the file has a header line but no registrants")])
    if _ends_inside_quotes(text[starts[rows[-1][0] - 1] :], delimiter):
        problems.append(
            Problem(
                rows[-1][0],
                None,
                'a quote (") opened here is never closed: the file ends inside it, as a download that stopped '
                "does; export the file again",
            )
        )
    if problems:
        raise ImportFailed(name, problems)
    return headers, rows


def _ends_inside_quotes(last_record: str, delimiter: str) -> bool:
    """Whether the file's last record runs to the end of the file inside a quoted value (strict CSV says so)."""
    try:
        for _ in csv.reader(_lines(last_record, []), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _misshapen(record: list[str], headers: list[str], first: int, last: int, delimiter: str) -> Problem | None:
    """A record that cannot be what the exporter wrote: one that swallowed the lines after it through a quote
    left open, or one with more values than the header has columns (a delimiter inside a value that is not in
    quotes shifts every later value into the wrong column). Fewer values are fine: some exporters leave out
    trailing empty cells."""
    shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
    if last > first and len(record) != len(headers):
        return Problem(
            first,
            None,
            (
                f'a quote (") opened here is never closed, so lines {first}-{last} read as one record; '
                "close the quote or remove it"
            ),
        )
    values = len(record)
    while values > len(headers) and not record[values - 1].strip():
        values -= 1
    if values > len(headers):
        return Problem(
            first,
            None,
            (
                f"{values} values, but the header names {len(headers)} columns: a value that contains a {shown} "
                "must be in quotes, or every later value lands in the wrong column"
            ),
        )
    return None


def clean_header(cell: str) -> str:
    return _SPACES.sub(" ", cell.replace("\ufeff", "")).strip().strip('"').strip()


def clean_cell(cell: str) -> str:
    """One line of text: control characters and runs of whitespace become single spaces."""
    if cell.isprintable() and "  " not in cell:  # most cells: no whitespace but single spaces
        return cell.strip(" ")
    return _SPACES.sub(" ", _CONTROL.sub(" ", cell)).strip()
