"""What the console says after a listings action, in the words of ``ttshop catalog products check|post|update``
(libs/cli/product_records.py, product_posting.py): ``(kind, text)`` messages, kind ``ok`` or ``error``.
Pure functions: no I/O."""

from __future__ import annotations

from typing import Any

from libs.cli.product_posting import UPDATE_MODES

Message = tuple[str, str]

#: The update modes the CLI offers (``--partial``, ``--full``, ``--inventory``, ``--price``), with its help.
MODES: tuple[tuple[str, str], ...] = tuple(zip(UPDATE_MODES, (
    ("partial: send the fields changed since the last post (title, description, category, attributes, images, "
    "variations)"),
    "full: replace the whole product with our record (TikTok blanks what the record leaves out)",
    "inventory: send today's stock now (no review)",
    "price: send today's price now (no review)",
), strict=True))


def _refusal(e: dict[str, Any]) -> str:
    return f"{e.get('code')}: {e.get('message')}" + (f" — {e['fix']}" if e.get("fix") else "")


def checked(sku: str, shop: str, body: dict[str, Any]) -> list[Message]:
    if body.get("ready"):
        ident = body.get("identifier")
        return [("ok", f"{sku} is ready for shop {shop}"
                 + (f"; identifier sent: {ident['type']} {ident['code']}" if ident else "") + ".")]
    return [("error", f"{sku} is not ready for shop {shop}: {len(body.get('problems') or [])} problem(s).")]


def posted(sku: str, shop: str, body: dict[str, Any]) -> list[Message]:
    if body.get("state") == "posted":
        ids = ", ".join(f"{k}={v}" for k, v in (body.get("sku_ids") or {}).items())
        return [("ok", (f"{sku} posted to shop {shop}: TikTok product {body.get('product_id')} ({ids}); "
                 f"TikTok status {body.get('tiktok_status') or 'PENDING'} (in review until TikTok decides)."))]
    return [("error", f"{sku} was not posted to shop {shop}: TikTok refused it.")] + [
        ("error", _refusal(e)) for e in body.get("errors") or [] if isinstance(e, dict)]


def updated(sku: str, shop: str, mode: str, body: dict[str, Any]) -> list[Message]:
    if mode in ("inventory", "price"):
        return pushed(body)
    if body.get("refused"):
        return [("error", f"TikTok refused the update of {sku} on shop {shop}; the product on TikTok is unchanged.")] + [
            ("error", _refusal(e)) for e in body.get("errors") or [] if isinstance(e, dict)]
    changes = ", ".join(body.get("fields") or []) or "the whole product"
    out: list[Message] = [("ok", (f"{sku} updated on shop {shop} (TikTok product {body.get('product_id')}, {mode}): "
                                 f"{changes}; back in TikTok's review."))]
    for label, key in (("variations added", "skus_added"), ("variations removed", "skus_removed")):
        if body.get(key):
            out.append(("ok", f"{label}: {', '.join(body[key])}"))
    return out


def pushed(body: dict[str, Any]) -> list[Message]:
    """A stock or price push: what TikTok took of each SKU."""
    kind = str(body.get("kind") or "")
    out: list[Message] = []
    for r in body.get("skus") or []:
        level = r.get("quantity") if kind == "inventory" else f"{r.get('amount')} {r.get('currency')}"
        good = r.get("status") not in ("failed", "pending")
        out.append(("ok" if good else "error",
                    f"{r.get('seller_sku')}: {kind} {level} sent to TikTok product {body.get('product_id')} "
                    f"(SKU {r.get('sku_id')}): {r.get('status')}" + (f" — {r['error']}" if r.get("error") else "")))
    if body.get("no_level"):
        out.append(("error", f"No {kind} is known for {', '.join(body['no_level'])}: nothing was sent for "
                    + ("them (publish an InventoryChanged first)." if kind == "inventory" else "them.")))
    return out or [("error", f"nothing was sent ({kind})")]


def category_set(sku: str, category_id: str, path: str, body: dict[str, Any]) -> list[Message]:
    """After ``PATCH /products/{sku}`` of ``category_id``: the new category and the shops it became ready on."""
    out: list[Message] = [("ok", f"{sku}: category_id set to {category_id}" + (f" ({path})" if path else "")
                           + f"; record version {body.get('version')}.")]
    became = sorted({str(b.get("shop_id")) for b in body.get("became_ready") or [] if isinstance(b, dict)})
    if became:
        out.append(("ok", f"{sku} became ready for shop {', '.join(became)}."))
    return out


def mode_refused(mode: str) -> Message:
    return ("error", f"Error: give exactly one of {', '.join('--' + m for m in UPDATE_MODES)} (got {mode or 'none'})")
