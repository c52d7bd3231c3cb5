"""Badge stock as data: page size, grid, margins, safe area and bleed. Adding a stock is one entry.

All lengths are PDF points (1/72 in). Sheet stock (Avery 5392) places several badges on a page at the
manufacturer's positions; roll and card stock (thermal fanfold, CR80, Brother QL) is one badge per page.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm


@dataclass(frozen=True)
class Stock:
    name: str
    description: str
    page: tuple[float, float]  # width, height
    badge: tuple[float, float]  # width, height of one badge
    columns: int = 1
    rows: int = 1
    left: float = 0.0  # page edge to the first badge
    top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    safe: float = 0.125 * inch  # keep text and codes this far inside the badge's edge (cutting, perforation)
    bleed: float = 0.0  # colour areas extend this far past the badge's edge (die-cut cards)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def slot(self, index: int) -> tuple[float, float]:
        """Bottom-left corner (PDF coordinates) of the ``index``-th badge on its page, row by row from the top."""
        column, row = index % self.columns, index // self.columns
        x = self.left + column * (self.badge[0] + self.gap_x)
        y = self.page[1] - self.top - (row + 1) * self.badge[1] - row * self.gap_y
        return x, y


def _centred(
    name: str,
    description: str,
    page: tuple[float, float],
    badge: tuple[float, float],
    columns: int,
    rows: int,
) -> Stock:
    left = (page[0] - columns * badge[0]) / 2
    top = (page[1] - rows * badge[1]) / 2
    return Stock(name, description, page, badge, columns, rows, left, top)


STOCKS: dict[str, Stock] = {
    stock.name: stock
    for stock in (
        # Avery 5392 name badge inserts: 4 x 3 in, 2 across, 3 down; 1 in top margin, 1/4 in sides.
        Stock(
            "avery-5392",
            "Avery 5392 inserts, 4x3 in, six per US Letter sheet",
            LETTER,
            (4 * inch, 3 * inch),
            2,
            3,
            left=0.25 * inch,
            top=1 * inch,
        ),
        _centred(
            "a4-4x3-6up",
            "4x3 in inserts, six per A4 sheet (European venues)",
            A4,
            (4 * inch, 3 * inch),
            2,
            3,
        ),
        Stock(
            "fanfold-4x3",
            "Thermal fanfold 4x3 in, one badge per label",
            (4 * inch, 3 * inch),
            (4 * inch, 3 * inch),
        ),
        Stock(
            "fanfold-4x6",
            "Thermal fanfold 4x6 in (portrait), one badge per label",
            (4 * inch, 6 * inch),
            (4 * inch, 6 * inch),
        ),
        Stock(
            "cr80",
            "CR80 PVC card, 3.370x2.125 in, card printer",
            (3.370 * inch, 2.125 * inch),
            (3.370 * inch, 2.125 * inch),
            safe=0.08 * inch,
            bleed=0.04 * inch,
        ),
        Stock(
            "ql-62mm",
            "Brother QL 62 mm continuous label, cut at 100 mm",
            (100 * mm, 62 * mm),
            (100 * mm, 62 * mm),
            safe=3 * mm,
        ),
        Stock(
            "a6",
            "A6 card (105x148 mm, portrait), one badge per sheet",
            (105 * mm, 148 * mm),
            (105 * mm, 148 * mm),
        ),
    )
}
DEFAULT_STOCK = "avery-5392"


class UnknownStock(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"No badge stock called '{name}'. Known: {', '.join(STOCKS)}.")


def stock_named(name: str) -> Stock:
    try:
        return STOCKS[name]
    except KeyError:
        raise UnknownStock(name) from None
