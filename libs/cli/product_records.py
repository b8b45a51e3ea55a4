"""`ttshop catalog products upsert|export|check`: our product records from a spreadsheet (R47) and
their readiness for a shop (R32-R37). Registered on the `products` group in ``catalog.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from libs.common.product_file import media_paths, read_rows

from . import render
from .client import CliError, console, emit_json, reported, state

MAX_PROBLEMS_SHOWN = 200


def upsert(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Product file: .csv, .xlsx or .json (PRODUCT_FILE.md).")],
) -> None:
    """Load products from a file; every bad row is reported with its row, column and reason, the good rows load."""
    st = state(ctx)
    with reported():
        if not file.is_file():
            raise CliError(f"{file}: no such file")
        data = file.read_bytes()
        sheet = read_rows(data, file.name)
        parts: list[tuple[str, tuple[str, bytes]]] = []
        for path in sorted(media_paths(sheet.rows)):
            local = (file.parent / path)
            if local.is_file():
                parts.append(("media_files", (path, local.read_bytes())))
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
            raise CliError(f"--out must end in .xlsx, .csv or .json, got {out.name!r}")
        data = st.client("catalog").download("/products-export", filename=out.name)
        out.write_bytes(data)
    console.print(f"Wrote {out} ({len(data):,} bytes).")


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
            raise CliError("--shop SHOP is required: readiness depends on the shop's categories and settings")
        if (sku is None) == (not all_):
            raise CliError("give a SKU or --all (not both)")
        client = st.client("catalog")
        if all_:
            body = client.post(f"/shops/{shop}/check")
        else:
            body = client.request("POST", f"/products/{sku}/check", json_body={}, params={"shop": shop})
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
