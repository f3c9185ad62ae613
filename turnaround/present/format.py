"""The formatters every face uses, so the same figure reads the same in the CLI, report and web.

The rules, in one place:

- **Missing** values (``None``, NaN, infinity) are an em dash, ``—``.
- **Rounding** is half away from zero on the decimal digits of the figure as written
  (``0.995`` to two places is ``1.00``, not the ``0.99`` that binary floating point gives).
  A figure that rounds to zero loses its sign: ``-0.04`` to one place is ``0.0``.
- **Negatives** take a true minus sign, ``−`` (U+2212), before any ``£``: ``−£450,000``.
- **Money** is whole pounds with thousands separators below £1m (``£450,000``), and millions
  to one decimal place from £1m (``£12.3m``). The choice is made on the rounded figure, so
  £999,999.50 is ``£1.0m``, never ``£1,000,000``.
- **Money in a table of budget lines** is millions to one decimal place in every cell
  (``£12.4m``, ``£0.3m``, ``−£0.2m``), so a column reads in one unit, as finance reports do.
- **Percentages** have one decimal place, always: ``25.0%``, ``0.5%``, ``100.0%``.
- **Counts** are whole numbers with thousands separators (``1,234``); other figures (FTE,
  rates per 10,000, days) take the places asked for, ``40.8``.
- **Dates** are written the GOV.UK way in prose, headings and summary lists
  (``3 December 2026``), and as ``03/12/2026`` in the cells of dense tables.
- **Financial years** are ``2014-15``.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MISSING = "—"
"""What a missing or unknowable figure is shown as."""

MINUS = "\N{MINUS SIGN}"
"""The sign of a negative figure: a true minus, which screen readers read as 'minus'."""

MILLION = Decimal(1_000_000)


def _known(value: float | int | Decimal | None) -> Decimal | None:
    """The figure as an exact decimal of its shortest written form; None when unknown."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    number = float(value)
    if not math.isfinite(number):
        return None
    # repr is the shortest string that reads back as the same float: 0.995, not 0.99499...
    return Decimal(int(value)) if isinstance(value, int) else Decimal(repr(number))


def _rounded(value: Decimal, places: int) -> Decimal:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _signed(rounded: Decimal, body: str) -> str:
    return f"{MINUS}{body}" if rounded.is_signed() else body


def number(value: float | int | Decimal | None, places: int = 0) -> str:
    """A figure with thousands separators to ``places`` decimals: '1,234', '40.8', '−2.5'."""
    known = _known(value)
    if known is None:
        return MISSING
    rounded = _rounded(known, places)
    return _signed(rounded, f"{rounded.copy_abs():,.{places}f}")


def count(value: float | int | Decimal | None) -> str:
    """A count of things, whole, with thousands separators: '1,234'."""
    return number(value, 0)


def money(pounds: float | int | Decimal | None) -> str:
    """Pounds for people: '£450,000' below a million, '£12.3m' from a million, '−£5,000'."""
    known = _known(pounds)
    if known is None:
        return MISSING
    whole = _rounded(known, 0)
    if whole.copy_abs() < MILLION:
        return _signed(whole, f"£{whole.copy_abs():,.0f}")
    millions = _rounded(known / MILLION, 1)
    return _signed(millions, f"£{millions.copy_abs():,.1f}m")


def millions(pounds: float | int | Decimal | None) -> str:
    """Pounds as millions to one place, for a table in one unit: '£12.4m', '£0.3m', '−£0.2m'."""
    known = _known(pounds)
    if known is None:
        return MISSING
    rounded = _rounded(known / MILLION, 1)
    return _signed(rounded, f"£{rounded.copy_abs():,.1f}m")


def percent(share: float | int | Decimal | None) -> str:
    """A share of one (0.25) as a percentage to one decimal place: '25.0%'."""
    known = _known(share)
    if known is None:
        return MISSING
    return percent_value(known * 100)


def percent_value(value: float | int | Decimal | None) -> str:
    """A figure already out of 100 (25.0) as a percentage to one decimal place: '25.0%'."""
    known = _known(value)
    if known is None:
        return MISSING
    return f"{number(known, 1)}%"


def day(value: date | None) -> str:
    """A date as GOV.UK prose writes it: '3 December 2026'."""
    if value is None:
        return MISSING
    return f"{value.day} {value:%B %Y}"


def table_day(value: date | None) -> str:
    """A date in a dense table's cell: '03/12/2026', as the returns themselves write dates."""
    if value is None:
        return MISSING
    return f"{value:%d/%m/%Y}"


def financial_year(start_year: int | None) -> str:
    """The financial year that starts in April of ``start_year``: '2014-15'."""
    if start_year is None:
        return MISSING
    return f"{start_year}-{(start_year + 1) % 100:02d}"
