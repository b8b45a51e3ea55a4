"""R39 variations: a matrix parent with at most ``max_children`` children, each ready, each with a value for
every sales attribute the matrix varies by, no two alike, and with "send matrix image" each with its own image."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from services.catalog.readiness.domain import Context, Problem, ProductFacts, Readiness, key

_SHOWN_CODES = 3


def _combination(child: ProductFacts, ctx: Context) -> tuple[tuple[str, str], ...]:
    """The child's sales values, comparable across children: attributes and listed values by id."""
    pairs = []
    for name, raw in child.sales_attributes.items():
        if not raw.strip():
            continue
        attribute = ctx.attributes_by_key.get(key(name))
        if attribute is None:
            pairs.append((key(name), key(raw)))
        else:
            pairs.append((attribute.id, attribute.value_ids.get(key(raw), key(raw))))
    return tuple(sorted(pairs))


def _describe(child: ProductFacts) -> str:
    shown = "; ".join(f"{k}={v}" for k, v in child.sales_attributes.items() if v.strip())
    return shown or "(none)"


def check_matrix(
    parent: ProductFacts, ctx: Context, children: Sequence[tuple[ProductFacts, Readiness]]
) -> Iterator[Problem]:
    count = len(children)
    if count > ctx.max_children:
        yield Problem(
            rule="R39", code="too_many_children", field="children", value=str(count),
            message=f"{parent.seller_sku} has {count} variations; a TikTok product takes at most {ctx.max_children}",
            fix=f"split the variations over several parents, at most {ctx.max_children} each",
        )
    # The matrix's dimensions: the category's sales attributes that any variation uses (a category lists
    # more, e.g. Color, Size and Material, than one product varies by); every variation needs each.
    used = {key(name) for child, _ in children for name, value in child.sales_attributes.items() if value.strip()}
    dimensions = [a for a in ctx.sales_properties if key(a.name) in used or key(a.id) in used]
    if not dimensions and ctx.sales_properties and len(children) > 1:
        names = ", ".join(a.name for a in ctx.sales_properties)
        yield Problem(
            rule="R39", code="matrix_without_sales_attributes", field="sales_attributes", value=None,
            message=f"the {len(children)} variations have no sales attribute values, so TikTok cannot tell them apart",
            fix=f"give each variation values of the category's sales attributes ({names}), e.g. Color=Red",
        )
    combinations: dict[tuple[tuple[str, str], ...], list[ProductFacts]] = {}
    for child, readiness in children:
        sku = child.seller_sku
        if not readiness.ready:
            codes = readiness.codes
            shown = ", ".join(codes[:_SHOWN_CODES])
            if len(codes) > _SHOWN_CODES:
                shown += f" and {len(codes) - _SHOWN_CODES} more"
            yield Problem(
                rule="R39", code="child_not_ready", field="children", value=sku, child_sku=sku,
                message=f"variation {sku} is not ready: {shown}",
                fix=f"run `ttshop catalog products check {sku}` and fix what it lists",
            )
        given = {key(name) for name, value in child.sales_attributes.items() if value.strip()}
        for attribute in dimensions:
            if key(attribute.name) not in given and key(attribute.id) not in given:
                yield Problem(
                    rule="R39", code="child_sales_attribute_missing", field=f"sales_attributes.{attribute.name}",
                    value=None, child_sku=sku,
                    message=f"variation {sku} has no value for the sales attribute {attribute.name}",
                    fix=f"set sales_attributes of {sku} to include {attribute.name}=<value>",
                )
        if ctx.shop.send_matrix_image and child.main_image is None:
            yield Problem(
                rule="R39", code="child_main_image_missing", field="main_image", value=None, child_sku=sku,
                message=f"variation {sku} has no main image of its own, and this shop sends matrix images",
                fix=f"give {sku} a main_image, or turn off --send-matrix-image for shop {ctx.shop.shop_id}",
            )
        combinations.setdefault(_combination(child, ctx), []).append(child)
    for same in combinations.values():
        if len(same) < 2:
            continue
        skus = ", ".join(c.seller_sku for c in same)
        yield Problem(
            rule="R39", code="child_sales_combination_duplicate", field="sales_attributes",
            value=_describe(same[0]), child_sku=same[1].seller_sku,
            message=f"variations {skus} have the same sales attributes {_describe(same[0])}",
            fix="give each variation its own combination of sales attribute values, or remove the duplicate",
        )
