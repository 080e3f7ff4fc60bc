"""One way to write money, rates, percentages and countries, shared by the public pages and
the portal (issue 17: the page said "$197.50/hr" and the portal "$198/h" for one rate).

Babel formats per locale (CLDR data): an amount in whole units shows no cents (``$400``), any
other shows them (``$197.50``), never rounded away; a rate is the amount and ``/hr``; a
country is its CLDR name in the locale (``GB`` is "United Kingdom"), the code itself when CLDR
has none. Every amount is US dollars (the talent document's currency). ``LOCALE`` is the one
locale the pages are written in today; a function takes another where a caller has one.
"""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency, format_decimal

LOCALE = "en_US"
CURRENCY = "USD"
WHOLE = "¤#,##0"  # CLDR pattern: the currency sign and grouped whole units, no fraction


def _amount(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def money(value, locale: str = LOCALE) -> str:
    """``$400``, ``$197.50``, ``$1,250``; empty for what is not a number."""
    amount = _amount(value)
    if amount is None:
        return ""
    if amount == amount.to_integral_value():
        return format_currency(amount, CURRENCY, format=WHOLE, locale=locale, currency_digits=False)
    return format_currency(amount, CURRENCY, locale=locale)


def rate(value, locale: str = LOCALE) -> str:
    """An hourly rate: ``$197.50/hr``."""
    text = money(value, locale)
    return f"{text}/hr" if text else ""


def number(value, locale: str = LOCALE) -> str:
    """A count or measure with the locale's grouping: ``1,250``."""
    amount = _amount(value)
    return format_decimal(amount, locale=locale) if amount is not None else ""


def percent(value, locale: str = LOCALE) -> str:
    """A whole percentage such as a Job Success Score: ``95%``."""
    amount = _amount(value)
    return f"{format_decimal(amount, locale=locale)}%" if amount is not None else ""


@functools.cache
def country_name(code: str | None, locale: str = LOCALE) -> str:
    """The name of an ISO 3166-1 alpha-2 country in the locale: ``United Kingdom`` for ``GB``."""
    if not code:
        return ""
    return Locale.parse(locale).territories.get(code.upper(), code.upper())


FILTERS = {"money": money, "rate": rate, "number": number, "percent": percent, "country_name": country_name}


def install(app) -> None:
    """Make every formatter a Jinja filter of ``app`` (the page's and the portal's templates)."""
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
