"""`ttshop catalog products upsert|export|check`: our product records from a spreadsheet (R47) and
their readiness for a shop (R32-R37). Registered on the `products` group in ``catalog.py``."""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Annotated, Any

import typer

from libs.common.product_file import is_url

from . import render
from .arguments import segment
from .client import UsageError, console, emit_json, reported, state

MAX_PROBLEMS_SHOWN = 200


def upsert(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Product file: .csv, .xlsx or .json (PRODUCT_FILE.md).")],
) -> None:
    """Load products from a file; every bad row is reported with its row, column and reason, the good rows load."""
    st = state(ctx)
    with reported():
        if not file.is_file():
            raise UsageError(f"{file}: no such file")
        data = file.read_bytes()
        parts = [("media_files", (path, (file.parent / path).read_bytes()))
                 for path in sorted(referenced_files(data, file))]
        body = st.client("catalog").upload("/products/load", [("file", (file.name, data)), *parts])
    if st.json_output:
        emit_json(body)
        return
    console.print(f"{file.name}: {body['rows']} row(s): {body['created']} created, {body['updated']} updated, "
                  f"{body['unchanged']} unchanged, {body['refused']} refused; "
                  f"{len(body['became_ready'])} became ready.")
    _problems(body.get("problems") or [])
    if body["refused"]:
        raise typer.Exit(1)


_TEXT_CELL = re.compile(rb"<t[^>]*>([^<]*)</t>")
_SEPARATORS = re.compile(r"[|;=,\t\r\n\"]")


def referenced_files(data: bytes, sheet: Path) -> set[str]:
    """Files next to ``sheet`` that its cells name (images, video, documents), without parsing the
    sheet: every text in it is split at the file format's separators and kept if it is an existing
    file inside the sheet's folder. The service reads the sheet itself and uses what it needs."""
    if sheet.suffix.lower() == ".xlsx":
        texts: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                for name in book.namelist():
                    if name.endswith(".xml") and ("sharedStrings" in name or name.startswith("xl/worksheets/")):
                        texts += [html.unescape(t.decode("utf-8", "replace")) for t in _TEXT_CELL.findall(book.read(name))]
        except zipfile.BadZipFile:
            return set()  # the service says what is wrong with the file
    else:
        texts = [data.decode("utf-8", "replace")]
    folder = os.path.realpath(sheet.parent)
    tokens = {token.strip() for text in texts for token in _SEPARATORS.split(text)}
    found: set[str] = set()
    for token in tokens:
        # a file name has an extension; titles, prices and ids are never looked up on disk
        if not token or "." not in token or len(token) > 1000 or is_url(token):
            continue
        local = os.path.realpath(os.path.join(folder, token))
        if local.startswith(folder + os.sep) and os.path.isfile(local):
            found.add(token)
    return found


def _problems(problems: list[dict[str, Any]]) -> None:
    for p in problems[:MAX_PROBLEMS_SHOWN]:
        where = ", ".join(x for x in (f"row {p['row']}" if p.get("row") else "",
                                      f"column {p['column']}" if p.get("column") else "") if x)
        value = f" ({render.text(p['value'])})" if p.get("value") not in (None, "") else ""
        console.print(f"{where + ': ' if where else ''}{p['message']}{value}", soft_wrap=True)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        console.print(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more (see --json)")


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", metavar="F.xlsx|F.csv|F.json", help="File to write.")],
) -> None:
    """Write every product record in the product-file format (loads back with `upsert`)."""
    st = state(ctx)
    with reported():
        if out.suffix.lower() not in (".xlsx", ".csv", ".json"):
            raise UsageError(f"--out must end in .xlsx, .csv or .json, got {out.name!r}")
        data = st.client("catalog").download("/products-export", filename=out.name)
        out.write_bytes(data)
    emit_json({"file": str(out), "bytes": len(data)}) if st.json_output else console.print(
        f"Wrote {out} ({len(data):,} bytes).")


def check(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Argument(help="Our seller SKU (or --all).")] = None,
    shop: Annotated[str, typer.Option("--shop", help="TikTok shop id to check against.")] = "",
    all_: Annotated[bool, typer.Option("--all", help="Every product of the catalogue: a summary.")] = False,
) -> None:
    """Every readiness problem at once, each with its rule, field, the value found and what to do."""
    st = state(ctx)
    with reported():
        if not shop:
            raise UsageError("--shop SHOP is required: readiness depends on the shop's categories and settings")
        if (sku is None) == (not all_):
            raise UsageError("give a SKU or --all (not both)")
        client = st.client("catalog")
        if all_:
            body = client.post(f"/shops/{segment(shop)}/check")
        else:
            body = client.request("POST", f"/products/{segment(sku)}/check", json_body={}, params={"shop": shop})
    if st.json_output:
        emit_json(body)
        return
    if all_:
        console.print(f"Shop {shop}: {body['total']} products: {body['ready']} ready, {body['not_ready']} not ready.")
        render.table("Most common problems", ("rule", "problem", "products"),
                     ((c["rule"], c["code"], c["products"]) for c in body["top_problems"]))
        return
    if body["ready"]:
        ident = body.get("identifier")
        console.print(f"{sku} is ready for shop {shop}"
                      + (f"; identifier sent: {ident['type']} {ident['code']}" if ident else "") + ".")
        return
    console.print(f"{sku} is not ready for shop {shop}: {len(body['problems'])} problem(s).")
    render.table(None, ("rule", "field", "problem", "value", "what to do"),
                 ((p["rule"], (f"{p['child_sku']}: " if p.get("child_sku") else "") + p["field"], p["message"],
                   p.get("value") or "", p["fix"]) for p in body["problems"]))
    raise typer.Exit(1)
