"""R32 product attributes: every required PRODUCT_PROPERTY has a value, values come from TikTok's list unless
the attribute is customizable, several values only where multiple selection is allowed. Attributes and values
are matched by id or by name, case-insensitively."""

from __future__ import annotations

from collections.abc import Iterator

from services.catalog.readiness.domain import AttributeFacts, Context, Problem, ProductFacts, key

_SHOWN_VALUES = 8


def allowed_values(attribute: AttributeFacts) -> str:
    names = [name for _, name in attribute.values]
    shown = ", ".join(names[:_SHOWN_VALUES])
    more = len(names) - _SHOWN_VALUES
    return shown + (f" (and {more} more)" if more > 0 else "")


def check_attributes(product: ProductFacts, ctx: Context) -> Iterator[Problem]:
    """Judge the product's attributes against its (known, leaf) category's downloaded attributes."""
    category = product.category_id
    if not ctx.attributes_downloaded:
        yield Problem(
            rule="R32", code="attributes_not_downloaded", field="attributes", value=category,
            message=f"the attributes of category {category} were never downloaded, "
                    "so its required attributes cannot be checked",
            fix=f"run `ttshop catalog attributes download {ctx.shop.shop_id}`, then check the product again",
        )
        return
    index = ctx.attributes_by_key
    given: set[str] = set()  # ids of the attributes that have a value
    chosen: set[tuple[str, str]] = set()  # (attribute id, value id) of the listed values given
    for name, raw_values in product.attributes.items():
        values = [v.strip() for v in raw_values if v.strip()]
        field = f"attributes.{name}"
        attribute = index.get(key(name))
        if attribute is None:
            if values:
                yield Problem(
                    rule="R32", code="attribute_unknown", field=field, value=name,
                    message=f"category {category} has no attribute {name!r}",
                    fix="use TikTok's attribute name or id for this category (`ttshop catalog attributes "
                        "download` lists them), or remove it",
                )
            continue
        if attribute.type == "SALES_PROPERTY":
            if values:
                yield Problem(
                    rule="R32", code="attribute_is_sales_property", field=field, value="|".join(values),
                    message=f"{attribute.name} is a sales attribute (a variation dimension) of category "
                            f"{category}, not a product attribute",
                    fix=f"give {attribute.name} in sales_attributes of each variation child, not in attributes",
                )
            continue
        if not values:
            continue
        given.add(attribute.id)
        if len(values) > 1 and not attribute.multiple:
            yield Problem(
                rule="R32", code="attribute_multiple_not_allowed", field=field, value="|".join(values),
                message=f"{attribute.name} has {len(values)} values but takes only one",
                fix=f"keep one value for {attribute.name}",
            )
        chosen.update((attribute.id, attribute.value_ids[key(v)]) for v in values if key(v) in attribute.value_ids)
        if attribute.customizable or not attribute.values:
            continue
        for value in values:
            if key(value) not in attribute.value_ids:
                yield Problem(
                    rule="R32", code="attribute_value_not_allowed", field=field, value=value,
                    message=f"{value!r} is not one of TikTok's values for {attribute.name}, "
                            "and this attribute takes no custom values",
                    fix=f"choose one of: {allowed_values(attribute)}",
                )
    names = {a.id: a for a in ctx.attributes}
    for attribute in ctx.attributes:
        if attribute.type != "PRODUCT_PROPERTY" or attribute.id in given:
            continue
        hint = f"; allowed: {allowed_values(attribute)}" if attribute.values else ""
        if attribute.required:
            yield Problem(
                rule="R32", code="attribute_required_missing", field=f"attributes.{attribute.name}", value=None,
                message=f"category {category} requires attribute {attribute.name}, which has no value",
                fix=f"add {attribute.name}=<value> to attributes{hint}",
            )
            continue
        because = next(((a, v) for a, v in attribute.required_when if (a, v) in chosen), None)
        if because is not None:
            other = names.get(because[0])
            value = next((n for i, n in other.values if i == because[1]), because[1]) if other else because[1]
            yield Problem(
                rule="R32", code="attribute_required_missing", field=f"attributes.{attribute.name}", value=None,
                message=f"{attribute.name} is required in category {category} when "
                        f"{other.name if other else because[0]} is {value}, and it has no value",
                fix=f"add {attribute.name}=<value> to attributes{hint}",
            )
