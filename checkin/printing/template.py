"""Badge templates: a small TOML file an organiser can edit (fields, fonts, sizes, positions, colours per type).

Loading checks everything up front and names the exact key that is wrong, so a bad edit is found when
the file is loaded, not half-way through printing 2,000 badges.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkin.printing.fonts import FONT_FILES

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "resources" / "templates" / "badge.toml"
FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "organization",
    "city_region",
    "registration_type",
    "external_id",
    "badge_number",
)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextItem:
    field: str
    box: Box
    font: str = "regular"
    size: float = 12
    min_size: float = 6
    lines: int = 1
    align: str = "left"
    colour: str = "#000000"


@dataclass(frozen=True)
class Face:
    """The layout for one badge orientation."""

    texts: list[TextItem]
    ribbon: TextItem
    qr: Box
    barcode: Box
    barcode_field: str
    marks: TextItem


@dataclass(frozen=True)
class Template:
    source: str
    landscape: Face
    portrait: Face
    ribbon_colours: dict[str, str] = field(default_factory=dict)
    ribbon_default: str = "#455A64"
    ribbon_text_colour: str = "#FFFFFF"
    ribbon_field: str = "registration_type"

    def face(self, width: float, height: float) -> Face:
        return self.portrait if height > width else self.landscape

    def ribbon_colour(self, registration_type: str) -> str:
        return self.ribbon_colours.get(registration_type, self.ribbon_default)


def load_template(path: Path | None = None) -> Template:
    path = path or DEFAULT_TEMPLATE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such template file.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: not a valid TOML file: {error}") from None
    return parse_template(data, str(path))


def parse_template(data: dict[str, Any], source: str = "template") -> Template:
    reader = _Reader(source)
    ribbon = reader.table(data, "ribbon")
    colours = reader.table(ribbon, "ribbon.colours", "colours")
    return Template(
        source=source,
        landscape=reader.face(data, "landscape"),
        portrait=reader.face(data, "portrait"),
        ribbon_colours={str(k): reader.colour(v, f"ribbon.colours.{k}") for k, v in colours.items()},
        ribbon_default=reader.colour(ribbon.get("default", "#455A64"), "ribbon.default"),
        ribbon_text_colour=reader.colour(ribbon.get("text_colour", "#FFFFFF"), "ribbon.text_colour"),
        ribbon_field=reader.field_name(ribbon.get("text", "registration_type"), "ribbon.text"),
    )


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> TemplateError:
        return TemplateError(f"{self.source}: {where}: {problem}")

    def table(self, data: dict[str, Any], where: str, key: str | None = None) -> dict[str, Any]:
        value = data.get(key or where.rpartition(".")[2])
        if not isinstance(value, dict):
            raise self.fail(where, "missing (a [table] is needed here)")
        return value

    def colour(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _COLOUR.match(value):
            raise self.fail(where, f"{value!r} is not a colour like #1B5E20")
        return value.upper()

    def field_name(self, value: Any, where: str) -> str:
        if value not in FIELDS:
            raise self.fail(where, f"unknown field {value!r}; fields are {', '.join(FIELDS)}")
        return str(value)

    def number(
        self, item: dict[str, Any], key: str, where: str, low: float, high: float, default: float | None = None
    ) -> float:
        value = item.get(key, default)
        if value is None:
            raise self.fail(f"{where}.{key}", "missing")
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.fail(f"{where}.{key}", f"{value!r} must be a number from {low} to {high}")
        return float(value)

    def box(self, item: Any, where: str) -> Box:
        if not isinstance(item, dict):
            raise self.fail(where, "missing (needs x, y, w and h)")
        box = Box(*(self.number(item, key, where, 0, 1) for key in ("x", "y", "w", "h")))
        if box.x + box.w > 1.0001 or box.y + box.h > 1.0001 or box.w == 0 or box.h == 0:
            raise self.fail(where, "the box must lie inside the badge (x + w <= 1, y + h <= 1) and not be empty")
        return box

    def text(self, item: Any, where: str, needs_field: bool = True) -> TextItem:
        box = self.box(item, where)
        font = item.get("font", "regular")
        if font not in FONT_FILES:
            raise self.fail(f"{where}.font", f"unknown font {font!r}; fonts are {', '.join(FONT_FILES)}")
        align = item.get("align", "left")
        if align not in ("left", "center", "right"):
            raise self.fail(f"{where}.align", f"{align!r} must be left, center or right")
        size = self.number(item, "size", where, 4, 200, 12)
        min_size = self.number(item, "min_size", where, 3, size, min(6, size))
        return TextItem(
            field=self.field_name(item.get("field"), f"{where}.field") if needs_field else "",
            box=box,
            font=font,
            size=size,
            min_size=min_size,
            lines=int(self.number(item, "lines", where, 1, 5, 1)),
            align=align,
            colour=self.colour(item.get("colour", "#000000"), f"{where}.colour"),
        )

    def face(self, data: dict[str, Any], name: str) -> Face:
        face = self.table(data, name)
        texts = face.get("text")
        if not isinstance(texts, list) or not texts:
            raise self.fail(f"{name}.text", "missing (add [[" + name + ".text]] entries)")
        barcode = face.get("barcode")
        return Face(
            texts=[self.text(item, f"{name}.text[{n}]") for n, item in enumerate(texts)],
            ribbon=self.text(face.get("ribbon"), f"{name}.ribbon", needs_field=False),
            qr=self.box(face.get("qr"), f"{name}.qr"),
            barcode=self.box(barcode, f"{name}.barcode"),
            barcode_field=self.field_name((barcode or {}).get("field", "badge_number"), f"{name}.barcode.field"),
            marks=self.text(face.get("marks"), f"{name}.marks", needs_field=False),
        )
