"""Asking a print queue what paper it has: one IPP Get-Printer-Attributes request to the CUPS server.

CUPS's command-line tools list paper names (`lpoptions -l`) but not their sizes, and a queue's names are its
driver's own (`w288h216`, `4x6`, `Custom.WIDTHxHEIGHT`). IPP gives every size as a PWG self-describing name
whose last part is the size itself (`na_index-4x6_4x6in`, `iso_a6_105x148mm`), so a stock can be matched to the
paper by measurement. The request is small enough to write out here (RFC 8010), which keeps libcups bindings
out of the install.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

_GET_PRINTER_ATTRIBUTES = 0x000B
_OPERATION, _END = 0x01, 0x03
_CHARSET, _LANGUAGE, _URI, _KEYWORD = 0x47, 0x48, 0x45, 0x44
_SIZE = re.compile(r"_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(in|mm)$")
_POINTS = {"in": 72.0, "mm": 72 / 25.4}


class NotAnswered(OSError):
    """The print server could not be reached or did not answer the question."""


@dataclass(frozen=True)
class Media:
    name: str  # as the queue names it, e.g. "oe_4x3-label_4x3in"
    width: float  # points, as named (PWG names give the short edge first)
    height: float


@dataclass(frozen=True)
class Paper:
    """What a queue says it can print on."""

    sizes: tuple[Media, ...]
    custom: tuple[tuple[float, float], tuple[float, float]] | None  # smallest and largest custom size, points


def paper(printer: str, server: str | None = None) -> Paper:
    """The paper sizes the queue lists, and the range of custom sizes it takes (if any)."""
    attributes = _get_printer_attributes(printer, server or os.environ.get("CUPS_SERVER", ""))
    sizes, smallest, largest = [], None, None
    for name in attributes.get("media-supported", []):
        size = media_size(name)
        if size is None:
            continue
        if name.startswith("custom_min_"):
            smallest = size
        elif name.startswith("custom_max_"):
            largest = size
        else:
            sizes.append(Media(name, *size))
    return Paper(tuple(sizes), (smallest, largest) if smallest and largest else None)


def media_size(name: str) -> tuple[float, float] | None:
    """The size in points a PWG self-describing media name states, e.g. 'na_letter_8.5x11in' -> (612, 792)."""
    found = _SIZE.search(name)
    if found is None:
        return None
    scale = _POINTS[found.group(3)]
    return float(found.group(1)) * scale, float(found.group(2)) * scale


def _get_printer_attributes(printer: str, server: str) -> dict[str, list[str]]:
    body = _request(printer)
    try:
        connection = _connect(server)
        connection.request("POST", f"/printers/{quote(printer)}", body, {"Content-Type": "application/ipp"})
        response = connection.getresponse()
        data = response.read(4 << 20)  # a media list is a few kilobytes; a hostile answer is not read on and on
    except (OSError, http.client.HTTPException) as error:
        raise NotAnswered(f"the print server did not answer ({error})") from None
    if response.status != 200 or len(data) < 8:
        raise NotAnswered(f"the print server answered HTTP {response.status}")
    status = struct.unpack(">H", data[2:4])[0]
    if status >= 0x0400:
        raise NotAnswered(f"the print server does not know the printer {printer} (IPP status 0x{status:04x})")
    try:
        return _attributes(data[8:])
    except (struct.error, IndexError):  # an answer cut short, or not IPP: said, not a traceback
        raise NotAnswered("the print server's answer could not be read") from None


def _request(printer: str) -> bytes:
    def attribute(tag: int, name: str, value: str) -> bytes:
        encoded_name, encoded_value = name.encode(), value.encode()
        return (
            struct.pack(">BH", tag, len(encoded_name))
            + encoded_name
            + struct.pack(">H", len(encoded_value))
            + encoded_value
        )

    return (
        struct.pack(">BBHI", 2, 0, _GET_PRINTER_ATTRIBUTES, 1)
        + bytes([_OPERATION])
        + attribute(_CHARSET, "attributes-charset", "utf-8")
        + attribute(_LANGUAGE, "attributes-natural-language", "en")
        + attribute(_URI, "printer-uri", f"ipp://localhost/printers/{quote(printer)}")
        + attribute(_KEYWORD, "requested-attributes", "media-supported")
        + attribute(_KEYWORD, "", "media-default")
        + bytes([_END])
    )


def _attributes(data: bytes) -> dict[str, list[str]]:
    """Every attribute of the answer as text (collections and other kinds are passed over)."""
    found: dict[str, list[str]] = {}
    name, at = "", 0
    while at < len(data):
        tag = data[at]
        at += 1
        if tag == _END:
            break
        if tag < 0x10:  # the start of another group
            continue
        (length,) = struct.unpack(">H", data[at : at + 2])
        name = data[at + 2 : at + 2 + length].decode("utf-8", "replace") or name  # empty: another value
        at += 2 + length
        (length,) = struct.unpack(">H", data[at : at + 2])
        value = data[at + 2 : at + 2 + length]
        at += 2 + length
        if 0x40 <= tag <= 0x4F:  # the text kinds: keyword, name, uri...
            found.setdefault(name, []).append(value.decode("utf-8", "replace"))
    return found


def _connect(server: str) -> http.client.HTTPConnection:
    """The CUPS server named by CUPS_SERVER (a socket path or HOST[:PORT]), else the local one."""
    if not server:
        server = "/run/cups/cups.sock" if Path("/run/cups/cups.sock").exists() else "localhost"
    if server.startswith("/"):
        return _UnixConnection(server)
    host, _, port = server.partition(":")
    return http.client.HTTPConnection(host, int(port) if port.isdigit() else 631, timeout=10)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)
