"""The pure part of the taxonomy (R30, R31): what a re-download changed, full paths, the wire spellings."""

from __future__ import annotations

from services.catalog.taxonomy.domain import (
    Category,
    attribute_from_wire,
    category_from_wire,
    category_version,
    diff_trees,
    export_rows,
    full_paths,
    rules_from_wire,
)


def tree(*cats: Category) -> dict[str, Category]:
    return {c.id: c for c in cats}


ROOT = Category("1", None, "Womenswear", False)
TOPS = Category("2", "1", "Tops", False)
TEES = Category("3", "2", "T-shirts", True, ("AVAILABLE",))


def test_the_wire_form_and_the_strongest_permission() -> None:
    c = category_from_wire({"id": 9, "parent_id": "0", "local_name": "Knives", "is_leaf": True,
                            "permission_statuses": ["AVAILABLE", "PROHIBITED"]})
    assert (c.id, c.parent_id, c.name, c.is_leaf, c.permission) == ("9", None, "Knives", True, "PROHIBITED")
    assert category_version("US") == "v2" and category_version("gb") is None and category_version(None) is None


def test_a_redownload_reports_added_removed_and_now_invite_only() -> None:
    old = tree(ROOT, TOPS, TEES, Category("4", "2", "Blouses", True))
    new = tree(ROOT, TOPS, Category("3", "2", "T-shirts", True, ("INVITE_ONLY",)), Category("5", "2", "Crop tops", True))
    changes = diff_trees(old, new)
    assert [c.id for c in changes.added] == ["5"] and [c.id for c in changes.removed] == ["4"]
    assert [c.id for c in changes.now_invite_only] == ["3"] and [c.id for c in changes.changed] == ["3"]
    assert (changes.total, changes.leaves) == (4, 2)
    assert diff_trees(new, new).as_dict()["changed"] == 0


def test_full_paths_and_export_rows() -> None:
    cats = tree(ROOT, TOPS, TEES, Category("7", "99", "Orphan", True))
    assert full_paths(cats)["3"] == "Womenswear > Tops > T-shirts"
    assert full_paths(cats)["7"] == "Orphan"
    row = next(r for r in export_rows(cats) if r["id"] == "3")
    assert row == {"id": "3", "name": "T-shirts", "parent id": "2", "parent name": "Tops",
                   "full path": "Womenswear > Tops > T-shirts", "leaf": "yes", "permission": "AVAILABLE"}


def test_attributes_read_tiktoks_misspelt_required_flag_and_rules_their_certifications() -> None:
    a = attribute_from_wire({"id": "100", "name": "Material", "type": "PRODUCT_PROPERTY", "is_requried": True,
                             "is_customizable": False, "is_multiple_selection": True,
                             "values": [{"id": "1", "name": "Cotton"}]})
    assert (a.required, a.multiple, a.values) == (True, True, (("1", "Cotton"),))
    assert attribute_from_wire({"id": "1", "name": "Size", "is_required": True}).required
    rules = rules_from_wire({"product_certifications": [{"id": "c1", "name": "CPC", "is_required": True}],
                             "package_dimension": {"is_required": True}})
    assert rules.certifications[0].required and rules.package_dimension_required
