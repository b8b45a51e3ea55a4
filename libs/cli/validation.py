"""Local validation of option values, so a typo never reaches a service.

Each parser raises :class:`typer.BadParameter`; click then prints
``Invalid value for '--option': <why>`` and exits with code 2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import typer

IDENTIFIER_TYPES = ("UPC", "EAN", "GTIN", "ISBN")


def on_off(value: str | None) -> bool | None:
    """``on`` -> True, ``off`` -> False (case-insensitive); None passes through."""
    if value is None:
        return None
    normalized = value.strip().lower()
    if normalized == "on":
        return True
    if normalized == "off":
        return False
    raise typer.BadParameter(f"{value!r} is not allowed; expected on or off.")


def identifier_priority(value: str | None) -> list[str] | None:
    """``UPC,EAN`` -> ``["UPC", "EAN"]``: each of UPC, EAN, GTIN, ISBN at most once."""
    if value is None:
        return None
    items = [item.strip().upper() for item in value.split(",")]
    if not items or any(not item for item in items):
        raise typer.BadParameter(
            f"{value!r} has an empty entry; expected a comma-separated list such as UPC,EAN,GTIN,ISBN."
        )
    unknown = [item for item in items if item not in IDENTIFIER_TYPES]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} is not an identifier type; expected a comma-separated list of "
            f"{', '.join(IDENTIFIER_TYPES)} (each at most once), e.g. UPC,EAN,GTIN,ISBN."
        )
    repeated = sorted({item for item in items if items.count(item) > 1})
    if repeated:
        raise typer.BadParameter(f"{', '.join(repeated)} is listed more than once; list each identifier type once.")
    return items


def _parse_moment(value: str, *, end_of_day: bool) -> datetime:
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date; expected YYYY-MM-DD or an ISO datetime such as 2024-05-01T08:00:00Z."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date_from(value: str | None) -> datetime | None:
    """A range start: a bare date means the start of that day (UTC)."""
    return None if value is None else _parse_moment(value, end_of_day=False)


def date_to(value: str | None) -> datetime | None:
    """A range end (exclusive): a bare date means midnight after it (UTC), so ``--to D`` includes day D."""
    return None if value is None else _parse_moment(value, end_of_day=True)


def date_range(
    start: datetime | None, end: datetime | None, *, now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """Check ``start < end``; ``--from`` alone runs until now, ``--to`` alone is refused."""
    if start is None and end is None:
        return None, None
    if start is None:
        raise typer.BadParameter("--to needs --from as well.", param_hint="'--from'")
    end = end or (now or datetime.now(UTC))
    if start >= end:
        raise typer.BadParameter(
            f"--from {start.isoformat()} is not before --to {end.isoformat()}; the range must start before it ends.",
            param_hint="'--from'/'--to'",
        )
    if end - start > timedelta(days=3650):
        raise typer.BadParameter("the range is longer than ten years.", param_hint="'--from'/'--to'")
    return start, end


def inventory_buffer(value: str) -> str:
    """R46 safety stock: ``N`` units (0 to 99999) or ``P%`` (0 to 100), normalised (``010%`` -> ``10%``)."""
    text = value.strip()
    number = text.removesuffix("%")
    if not number.isdigit() or (text.endswith("%") and int(number) > 100) or int(number) > 99_999:
        raise typer.BadParameter(f"{value!r}: give a number of units (e.g. 5) or a percentage from 0% to 100% "
                                 "(e.g. 10%)")
    return f"{int(number)}%" if text.endswith("%") else str(int(number))
