"""Attributes and listing rules of leaf categories, per category ``kind`` (see ``taxonomy_data.py``).

Attribute ids (``100001``…) and value ids (attribute id + 3 digits) are global, as TikTok's are, and
stable across runs. ``SALES_PROPERTY`` attributes are variation dimensions (``skus[].sales_attributes``);
``PRODUCT_PROPERTY`` ones go to ``product_attributes`` and carry the ``is_*`` flags. A required flag
marked ``!`` in a template is sent as ``is_requried`` (TikTok's spelling on the wire).
Conditional requirement: ``Battery type`` is required when ``Battery included`` is ``Yes``.

Rules: restricted kinds need certifications (toys: Children's Product Certificate; beauty: Cosmetic
Product Safety Report; electronics: FCC Declaration of Conformity; food: FDA Food Facility
Registration; fine jewellery: hallmark/authenticity certificate). Clothing and shoes support a size
chart. Package dimensions are required for furniture and appliances everywhere, and for every category
in US, GB, MY and SG (TikTok's rule for local sellers there).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from libs.sandbox.taxonomy import Category

SALES = "SALES_PROPERTY"
PRODUCT = "PRODUCT_PROPERTY"

# key: (name, type, customizable, multiple, values "a, b, c")
_CATALOG: dict[str, tuple[str, str, bool, bool, str]] = {
    "color": ("Color", SALES, True, False, ("Black, White, Grey, Red, Pink, Orange, Yellow, Green, Blue, Navy, "
              "Purple, Brown, Beige, Gold, Silver, Multicolour, Clear")),
    "size": ("Size", SALES, True, False, "XXS, XS, S, M, L, XL, XXL, 3XL, 4XL, One size"),
    "shoe_size": ("Size", SALES, True, False, ("US 5, US 5.5, US 6, US 6.5, US 7, US 7.5, US 8, US 8.5, US 9, "
                  "US 9.5, US 10, US 10.5, US 11, US 12, US 13")),
    "kids_size": ("Size", SALES, True, False, ("0-3M, 3-6M, 6-12M, 12-18M, 18-24M, 2T, 3T, 4T, 5Y, 6Y, 7Y, 8Y, "
                  "10Y, 12Y, 14Y")),
    "capacity": ("Capacity", SALES, True, False, "32GB, 64GB, 128GB, 256GB, 512GB, 1TB, 2TB"),
    "specification": ("Specification", SALES, True, False, "Small, Medium, Large, Set of 2, Set of 4, Set of 6"),
    "shade": ("Shade", SALES, True, False, "Fair, Light, Medium, Tan, Deep, Rich"),
    "volume": ("Volume", SALES, True, False, "10 ml, 30 ml, 50 ml, 100 ml, 200 ml, 500 ml"),
    "flavour": ("Flavour", SALES, True, False, "Original, Chocolate, Vanilla, Strawberry, Salted, Spicy, Mixed"),
    "pack_size": ("Pack size", SALES, True, False, "1 pack, 2 packs, 3 packs, 6 packs, 12 packs, 24 packs"),
    "book_format": ("Format", SALES, False, False, ("Paperback, Hardcover, Board book, Spiral-bound, Vinyl, CD, "
                    "DVD, Blu-ray, Digital code")),
    "material": ("Material", PRODUCT, True, True, ("Cotton, Polyester, Linen, Silk, Wool, Cashmere, Viscose, Nylon, "
                 "Elastane, Denim, Leather, Faux leather, Acrylic, Modal, Wood, Metal, Glass, Ceramic, Plastic, "
                 "Stainless steel, Bamboo")),
    "pattern": ("Pattern", PRODUCT, False, False, ("Solid, Striped, Floral, Plaid, Animal print, Graphic, "
                "Polka dot, Camouflage, Geometric")),
    "season": ("Season", PRODUCT, False, True, "Spring, Summer, Autumn, Winter, All seasons"),
    "fit": ("Fit", PRODUCT, False, False, "Regular, Slim, Oversized, Relaxed, Skinny"),
    "care": ("Care instructions", PRODUCT, True, True, "Machine wash, Hand wash, Dry clean only, Do not tumble dry"),
    "style": ("Style", PRODUCT, False, False, "Casual, Formal, Vintage, Bohemian, Streetwear, Sporty, Minimalist"),
    "upper_material": ("Upper material", PRODUCT, True, False, "Leather, Suede, Canvas, Mesh, Synthetic, Knit, Rubber"),
    "sole_material": ("Sole material", PRODUCT, False, False, "Rubber, EVA, TPR, Leather, Polyurethane"),
    "closure": ("Closure type", PRODUCT, False, False, "Lace-up, Slip-on, Zip, Buckle, Hook and loop"),
    "country_of_origin": ("Country of origin", PRODUCT, True, False, ("China, United States, Vietnam, India, "
                          "Bangladesh, Turkey, Italy, Portugal, Mexico, United Kingdom, Germany, Japan, South Korea")),
    "warranty": ("Warranty period", PRODUCT, False, False, "No warranty, 3 months, 6 months, 1 year, 2 years, 3 years"),
    "battery_included": ("Battery included", PRODUCT, False, False, "Yes, No"),
    "battery_type": ("Battery type", PRODUCT, False, True, "Lithium-ion, Lithium polymer, Alkaline, NiMH, Button cell"),
    "voltage": ("Voltage", PRODUCT, True, False, "5V, 12V, 110-120V, 220-240V, 100-240V"),
    "plug_type": ("Plug type", PRODUCT, False, True, "US (Type A/B), UK (Type G), EU (Type C/F), AU (Type I), USB"),
    "water_resistance": ("Water resistance", PRODUCT, False, False, "None, Splash-proof, Water-resistant, Waterproof"),
    "room": ("Room", PRODUCT, False, True, "Living room, Bedroom, Kitchen, Bathroom, Office, Outdoor"),
    "assembly": ("Assembly required", PRODUCT, False, False, "Yes, No"),
    "max_load": ("Maximum load", PRODUCT, True, False, "50 kg, 100 kg, 150 kg, 200 kg"),
    "quantity_per_pack": ("Quantity per pack", PRODUCT, True, False, "1, 2, 3, 4, 5, 6, 10, 12, 20, 50, 100"),
    "skin_type": ("Skin type", PRODUCT, False, True, "All skin types, Dry, Oily, Combination, Sensitive, Normal"),
    "net_content": ("Net content", PRODUCT, True, False, ("5 ml, 10 ml, 30 ml, 50 ml, 100 ml, 250 ml, 500 ml, "
                    "50 g, 100 g, 250 g, 500 g, 1 kg")),
    "shelf_life": ("Shelf life", PRODUCT, False, False, "6 months, 12 months, 18 months, 24 months, 36 months"),
    "ingredients": ("Key ingredients", PRODUCT, True, True, ("Hyaluronic acid, Vitamin C, Retinol, Niacinamide, "
                    "Salicylic acid, Ceramides, Shea butter, Aloe vera")),
    "cruelty_free": ("Cruelty-free", PRODUCT, False, False, "Yes, No"),
    "age_range": ("Age range", PRODUCT, False, True, "0-12 months, 1-3 years, 3-6 years, 6-12 years, 12+ years, Adults"),
    "small_parts": ("Small parts warning", PRODUCT, False, False, "Yes, No"),
    "toy_material": ("Toy material", PRODUCT, False, True, "Plastic, Wood, Fabric, Metal, Silicone, Paper"),
    "storage": ("Storage conditions", PRODUCT, False, False, "Room temperature, Refrigerated, Frozen, Cool and dry place"),
    "allergens": ("Allergens", PRODUCT, False, True, ("None, Milk, Eggs, Peanuts, Tree nuts, Soy, Wheat, Fish, "
                  "Shellfish, Sesame")),
    "diet": ("Dietary needs", PRODUCT, False, True, "Vegan, Vegetarian, Gluten-free, Organic, Keto, Halal, Kosher"),
    "metal": ("Metal", PRODUCT, False, False, ("Gold, White gold, Rose gold, Sterling silver, Platinum, "
              "Stainless steel, Brass, Alloy")),
    "purity": ("Metal purity", PRODUCT, False, False, "9K, 14K, 18K, 22K, 24K, 925, 950"),
    "gemstone": ("Gemstone", PRODUCT, False, True, ("None, Diamond, Pearl, Ruby, Sapphire, Emerald, Cubic zirconia, "
                 "Crystal")),
    "authenticity": ("Certificate of authenticity", PRODUCT, False, False, "Yes, No"),
    "condition": ("Condition", PRODUCT, False, False, "New, Used - like new, Used - good, Graded"),
    "year": ("Year of issue", PRODUCT, True, False, "Before 1950, 1950-1979, 1980-1999, 2000-2019, 2020 or later"),
    "author": ("Author", PRODUCT, True, True, ""),
    "publisher": ("Publisher", PRODUCT, True, False, ""),
    "language": ("Language", PRODUCT, False, True, "English, Spanish, French, German, Chinese, Japanese"),
    "pet_type": ("Pet type", PRODUCT, False, True, "Dog, Cat, Fish, Bird, Small animal, Reptile"),
    "vehicle_type": ("Vehicle compatibility", PRODUCT, True, True, "Universal, Cars, SUVs, Trucks, Motorcycles"),
    "sport": ("Sport", PRODUCT, False, True, ("Running, Yoga, Gym, Cycling, Camping, Hiking, Swimming, Football, "
              "Basketball, Fishing")),
}
_CONDITIONS = {"battery_type": ("battery_included", "Yes")}

# kind -> "sales dimensions | product attributes" (``!`` = required)
_TEMPLATES = {
    "apparel": "color size | material! pattern season fit style care country_of_origin",
    "kids_apparel": "color kids_size | material! age_range! pattern season care country_of_origin",
    "shoes": "color shoe_size | upper_material! sole_material! closure season style country_of_origin",
    "accessories": "color specification | material! style pattern country_of_origin",
    "home": "color specification | material! room quantity_per_pack country_of_origin",
    "furniture": "color specification | material! assembly! max_load room country_of_origin",
    "appliance": "color specification | warranty! voltage! plug_type! battery_included battery_type country_of_origin",
    "beauty": "shade volume | net_content! shelf_life! skin_type! ingredients cruelty_free country_of_origin",
    "beauty_tools": "color specification | material warranty voltage country_of_origin",
    "toys": "color specification | age_range! toy_material! small_parts! battery_included! battery_type "
            "country_of_origin",
    "hobbies": "color specification | material age_range quantity_per_pack country_of_origin",
    "electronics": "color capacity | warranty! battery_included! battery_type voltage plug_type water_resistance "
                   "country_of_origin",
    "office": "color specification | material quantity_per_pack country_of_origin",
    "food": "flavour pack_size | net_content! shelf_life! storage! allergens! diet country_of_origin!",
    "sports": "color specification | material! sport country_of_origin",
    "pet": "color specification | pet_type! material net_content country_of_origin",
    "auto": "color specification | vehicle_type! material warranty country_of_origin",
    "books": "book_format | author! language! publisher country_of_origin",
    "jewellery": "color specification | metal! gemstone style country_of_origin",
    "fine_jewellery": "color specification | metal! purity! gemstone! authenticity country_of_origin",
    "collectibles": "specification | condition! authenticity! year country_of_origin",
    "prohibited": "specification | country_of_origin",
}

# kind -> [(certification name, required)]
_CERTIFICATIONS: dict[str, list[tuple[str, bool]]] = {
    "toys": [("Children's Product Certificate (CPC)", True), ("ASTM F963 Toy Safety Test Report", False)],
    "kids_apparel": [("Children's Product Certificate (CPC)", False)],
    "beauty": [("Cosmetic Product Safety Report", True), ("FDA Cosmetic Product Listing", False)],
    "electronics": [("FCC Declaration of Conformity", True), ("UL 2054 Battery Safety Report", False)],
    "appliance": [("UL/ETL Safety Listing", False)],
    "food": [("FDA Food Facility Registration", True), ("Certificate of Analysis", False)],
    "fine_jewellery": [("Precious Metal Hallmark or Gemstone Authenticity Certificate", True)],
    "collectibles": [("Certificate of Authenticity", False)],
}
_SIZE_CHART_KINDS = frozenset({"apparel", "kids_apparel", "shoes"})
_DIMENSION_KINDS = frozenset({"furniture", "appliance"})
_DIMENSION_REGIONS = frozenset({"US", "GB", "MY", "SG"})
_ATTRIBUTE_IDS = {key: str(100_001 + i) for i, key in enumerate(_CATALOG)}
_CERT_NAMES = sorted({name for certs in _CERTIFICATIONS.values() for name, _ in certs})
_CERT_IDS = {name: str(700_101 + i) for i, name in enumerate(_CERT_NAMES)}


@dataclass(frozen=True)
class Attribute:
    id: str
    key: str
    name: str
    type: str
    is_required: bool
    is_customizable: bool
    is_multiple_selection: bool
    values: tuple[tuple[str, str], ...]  # (value id, name)
    conditions: tuple[tuple[str, str], ...] = ()  # (attribute id, value id) that make it required

    def value_by_id(self, value_id: str) -> str | None:
        return next((name for vid, name in self.values if vid == value_id), None)

    def value_by_name(self, name: str) -> str | None:
        folded = name.strip().casefold()
        return next((vid for vid, vname in self.values if vname.casefold() == folded), None)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "type": self.type, "is_requried": self.is_required,
            "is_customizable": self.is_customizable, "is_multiple_selection": self.is_multiple_selection,
            "requirement_conditions": [
                {"condition_type": "VALUE_ID_MATCH", "attribute_id": a, "attribute_value_id": v}
                for a, v in self.conditions
            ],
            "values": [{"id": vid, "name": name} for vid, name in self.values],
        }


@dataclass(frozen=True)
class Certification:
    id: str
    name: str
    is_required: bool

    def to_wire(self) -> dict[str, Any]:
        sample = f"https://p16-oec-sandbox.tiktokcdn.invalid/certification-samples/{self.id}.png"
        return {"id": self.id, "name": self.name, "is_required": self.is_required, "sample_image_url": sample}


@dataclass(frozen=True)
class Rules:
    certifications: tuple[Certification, ...]
    size_chart_supported: bool
    size_chart_required: bool
    package_dimension_required: bool

    def to_wire(self) -> dict[str, Any]:
        return {
            "product_certifications": [c.to_wire() for c in self.certifications],
            "size_chart": {"is_required": self.size_chart_required, "is_supported": self.size_chart_supported},
            "package_dimension": {"is_required": self.package_dimension_required},
            "is_cod_allowed": False,
        }


def _attribute(key: str, required: bool) -> Attribute:
    name, kind, customizable, multiple, raw = _CATALOG[key]
    attr_id = _ATTRIBUTE_IDS[key]
    values = tuple((f"{attr_id}{i + 1:03d}", v.strip()) for i, v in enumerate(raw.split(",")) if v.strip())
    conditions: tuple[tuple[str, str], ...] = ()
    if key in _CONDITIONS:
        other, value = _CONDITIONS[key]
        conditions = ((_ATTRIBUTE_IDS[other], _attribute(other, False).value_by_name(value) or ""),)
    return Attribute(
        id=attr_id, key=key, name=name, type=kind, is_required=required and kind == PRODUCT,
        is_customizable=customizable, is_multiple_selection=multiple, values=values, conditions=conditions,
    )


@cache
def attributes_of_kind(kind: str) -> tuple[Attribute, ...]:
    """Sales dimensions first, then product attributes; built once per kind and process."""
    sales, product = _TEMPLATES.get(kind, _TEMPLATES["prohibited"]).split("|")
    keys = sales.split() + product.split()
    return tuple(_attribute(k.rstrip("!"), k.endswith("!")) for k in keys)


def attributes_for(category: Category) -> tuple[Attribute, ...]:
    return attributes_of_kind(category.node.kind)


@cache
def _rules(kind: str, region_needs_dimensions: bool) -> Rules:
    certs = tuple(Certification(_CERT_IDS[name], name, required) for name, required in _CERTIFICATIONS.get(kind, []))
    return Rules(
        certifications=certs,
        size_chart_supported=kind in _SIZE_CHART_KINDS,
        size_chart_required=False,
        package_dimension_required=region_needs_dimensions or kind in _DIMENSION_KINDS,
    )


def rules_for(category: Category, region: str) -> Rules:
    return _rules(category.node.kind, region in _DIMENSION_REGIONS)


def package_dimensions_required(category: Category | None, region: str) -> bool:
    if category is None:
        return region in _DIMENSION_REGIONS
    return rules_for(category, region).package_dimension_required
