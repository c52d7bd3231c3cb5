"""Registrant exports (Wild Apricot, Eventbrite, pretix, generic CSV) -> attendees."""

from checkin.importers.formats import FORMATS, MAPPABLE_FIELDS
from checkin.importers.reading import ImportFailed, Problem
from checkin.importers.registrants import Record, UnknownFormat, import_file, parse_records
from checkin.importers.writing import ImportReport, write_records

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "ImportFailed",
    "ImportReport",
    "Problem",
    "Record",
    "UnknownFormat",
    "import_file",
    "parse_records",
    "write_records",
]
