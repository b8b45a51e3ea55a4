"""R42 shadow SKUs, the pure part: which links are allowed. A shadow takes its master's stock on every
listing of its own (its own shop, buffer and switches); a shadow is one level deep, so a master is never a
shadow itself and a shadow never a master (no chains, no cycles). No I/O."""

from __future__ import annotations


def link_refusal(shadow: str, master: str, *, master_is_shadow_of: str | None, shadow_masters: list[str],
                 known: set[str]) -> str | None:
    """Why ``shadow`` may not follow ``master`` (the reason a seller reads), or None to link them.

    ``master_is_shadow_of``: the master the would-be master already follows; ``shadow_masters``: the SKUs
    that already follow the would-be shadow; ``known``: which of the two SKUs the catalog knows."""
    if shadow == master:
        return f"{shadow} cannot be a shadow of itself"
    for sku in (shadow, master):
        if sku not in known:
            return f"SKU {sku!r} is not known to the catalog: load it first (`ttshop catalog products upsert`)"
    if master_is_shadow_of is not None:
        return (f"{master} is itself a shadow of {master_is_shadow_of}: a shadow cannot have shadows; "
                f"link {shadow} to {master_is_shadow_of} instead")
    if shadow_masters:
        followers = ", ".join(sorted(shadow_masters))
        return (f"{shadow} is the master of {followers}: a master cannot become a shadow (that would chain "
                "or loop); unlink those first")
    return None
