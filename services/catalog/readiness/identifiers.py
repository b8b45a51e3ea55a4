"""R36 product identifiers: digits only, the length of their type, a valid GS1 check digit, one SKU per code,
and only one identifier sent: the first of the shop's priority the product has and that is valid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from libs.common.gtin import gs1_check_digit
from services.catalog.readiness.domain import Problem, ProductFacts

LENGTHS: Mapping[str, tuple[int, ...]] = {"UPC": (12,), "EAN": (8, 13, 14), "GTIN": (14,), "ISBN": (13,)}
ISBN_PREFIXES = ("978", "979")


def normalise(code: str) -> str:
    """The 14-digit GTIN form, so a UPC-12, its EAN-13 and its GTIN-14 compare equal."""
    return code.zfill(14)


def isbn10_to_13(code: str) -> str | None:
    """The ISBN-13 of a valid-looking ISBN-10 (9 digits and a digit or X), for a helpful fix."""
    if len(code) != 10 or not code[:9].isdigit() or not (code[9].isdigit() or code[9] in "xX"):
        return None
    body = "978" + code[:9]
    return body + str(gs1_check_digit(body))


def _expected(kind: str) -> str:
    return " or ".join(str(n) for n in LENGTHS[kind]) + " digits"


def _format_problems(kind: str, code: str, field: str) -> list[Problem]:
    """Why ``code`` is not a valid ``kind``; empty when it is."""
    if kind == "ISBN" and (isbn13 := isbn10_to_13(code)) is not None:
        return [Problem(
            rule="R36", code="identifier_length_invalid", field=field, value=code,
            message=f"ISBN {code} is an ISBN-10; an ISBN has 13 digits",
            fix=f"send its ISBN-13 {isbn13}",
        )]
    if not (code.isascii() and code.isdigit()):
        digits = "".join(c for c in code if c.isascii() and c.isdigit())
        hint = f": write it as {digits}" if len(digits) in LENGTHS[kind] else ""
        return [Problem(
            rule="R36", code="identifier_not_numeric", field=field, value=code,
            message=f"{kind} {code!r} has characters other than digits",
            fix=f"keep only the digits (no spaces, hyphens or letters){hint}",
        )]
    if len(code) not in LENGTHS[kind]:
        return [Problem(
            rule="R36", code="identifier_length_invalid", field=field, value=code,
            message=f"{kind} {code} has {len(code)} digits; a {kind} has {_expected(kind)}",
            fix=f"enter the complete {kind} ({_expected(kind)})",
        )]
    problems = []
    if kind == "ISBN" and not code.startswith(ISBN_PREFIXES):
        problems.append(Problem(
            rule="R36", code="isbn_prefix_invalid", field=field, value=code,
            message=f"ISBN {code} does not start with 978 or 979, so it is not an ISBN-13",
            fix="check the number, or give it as an EAN if it is not a book's ISBN",
        ))
    expected = gs1_check_digit(code[:-1])
    if int(code[-1]) != expected:
        problems.append(Problem(
            rule="R36", code="identifier_check_digit_invalid", field=field, value=code,
            message=f"{kind} {code} ends in {code[-1]} but its check digit should be {expected}",
            fix="check the number for a typo: the last digit is computed from the others",
        ))
    return problems


def check_identifiers(
    product: ProductFacts, priority: Sequence[str], owners: Mapping[str, str]
) -> tuple[list[Problem], tuple[str, str] | None]:
    """The problems with the product's identifiers and the one to send (None when none is valid).

    No identifier at all is fine. A code another SKU already owns is a problem and is not sent.
    """
    problems: list[Problem] = []
    sendable: dict[str, str] = {}
    for raw_kind, raw_code in product.identifiers.items():
        kind, code = raw_kind.strip().upper(), raw_code.strip()
        if not code:
            continue
        field = kind.lower()
        if kind not in LENGTHS:
            problems.append(Problem(
                rule="R36", code="identifier_type_unknown", field=raw_kind, value=code,
                message=f"identifier type {raw_kind!r} is not one of UPC, EAN, GTIN, ISBN",
                fix="give the code in the upc, ean, gtin or isbn column",
            ))
            continue
        found = _format_problems(kind, code, field)
        structurally_ok = not any(p.code in ("identifier_not_numeric", "identifier_length_invalid") for p in found)
        owner = owners.get(normalise(code)) if structurally_ok else None
        if owner is not None and owner != product.seller_sku:
            found.append(Problem(
                rule="R36", code="identifier_duplicate", field=field, value=code,
                message=f"{kind} {code} is already used by SKU {owner}; one identifier belongs to one SKU",
                fix=f"correct the {kind} here, or on {owner} if that one is wrong",
            ))
        problems.extend(found)
        if not found:
            sendable.setdefault(kind, code)
    chosen = next(((k, sendable[k]) for k in (p.strip().upper() for p in priority) if k in sendable), None)
    return problems, chosen
