"""R42: a shadow follows one master; a master is never a shadow and a shadow never a master (no chains, no
cycles); unknown SKUs and a SKU shadowing itself are refused, each with what to do."""

from __future__ import annotations

from services.catalog.shadows.domain import link_refusal

KNOWN = {"MUG", "MUG-US", "MUG-EU"}


def test_a_known_sku_can_follow_a_known_master() -> None:
    assert link_refusal("MUG-US", "MUG", master_is_shadow_of=None, shadow_masters=[], known=KNOWN) is None


def test_a_shadow_of_a_shadow_is_refused_and_points_at_the_real_master() -> None:
    why = link_refusal("MUG-EU", "MUG-US", master_is_shadow_of="MUG", shadow_masters=[], known=KNOWN)
    assert why is not None and "MUG-US is itself a shadow of MUG" in why and "link MUG-EU to MUG instead" in why


def test_a_master_cannot_become_a_shadow_so_no_cycle_can_form() -> None:
    why = link_refusal("MUG", "MUG-US", master_is_shadow_of=None, shadow_masters=["MUG-EU", "MUG-US"], known=KNOWN)
    assert why is not None and "MUG is the master of MUG-EU, MUG-US" in why and "unlink those first" in why


def test_itself_and_unknown_skus_are_refused() -> None:
    assert "itself" in (link_refusal("MUG", "MUG", master_is_shadow_of=None, shadow_masters=[], known=KNOWN) or "")
    why = link_refusal("CUP", "MUG", master_is_shadow_of=None, shadow_masters=[], known=KNOWN)
    assert why is not None and "'CUP' is not known" in why
