"""What the listings pages show of the catalog's answers: readiness with every problem and its rule, the
posting and TikTok's review in the CLI's words, the list's filter and pages, the category picker."""

from __future__ import annotations

from typing import Any

from libs.console.listings import picker, rows
from libs.console.listings.views import image_sha, is_sha256, posting, product_href, readiness

SHA = "0123456789abcdef" * 4
PROBLEMS = [
    {"rule": "R33", "code": "image_not_square", "field": "main_image", "message": "not 1:1", "fix": "crop it",
     "value": "800x600", "child_sku": None},
    {"rule": "R32", "code": "price_missing", "field": "price", "message": "no website price", "fix": "set price",
     "value": None, "child_sku": "TEE-RED"},
]


def stored(ready: bool = False, problems: int = 2, version: int = 3, details: Any = None) -> dict[str, Any]:
    """A ``readiness`` as the catalog answers it: how many problems, and each of them (``problem_details``)."""
    return {"shop_id": "7001", "ready": ready, "problems": problems,
            "problem_details": PROBLEMS[:problems] if details is None else details, "checked_version": version,
            "checked_at": "2026-12-03T10:00:00+00:00"}


def test_never_checked_is_said_so() -> None:
    r = readiness(None)
    assert (r.state, r.label, r.count, r.problems) == ("unchecked", "never checked", 0, [])


def test_ready_has_no_problems_shown() -> None:
    r = readiness(stored(ready=True, problems=0))
    assert (r.state, r.label, r.problems) == ("ready", "ready", [])


def test_every_problem_of_the_catalogs_problem_details_is_shown_with_its_rule() -> None:
    r = readiness(stored(problems=2))
    assert (r.label, r.count) == ("not ready: 2 problems", 2)
    assert [(p.rule, p.field, p.message, p.value, p.fix, p.code) for p in r.problems] == [
        ("R33", "main_image", "not 1:1", "800x600", "crop it", "image_not_square"),
        ("R32", "TEE-RED: price", "no website price", "", "set price", "price_missing")]
    assert r.rules == "R32, R33"


def test_the_problems_are_those_of_problem_details_and_the_count_that_of_problems() -> None:
    assert [p.code for p in readiness(stored(problems=2, details=PROBLEMS[1:])).problems] == ["price_missing"]
    counted = readiness(stored(problems=2, details=[]))  # a count without the list: the count, nothing made up
    assert (counted.label, counted.count, counted.problems) == ("not ready: 2 problems", 2, [])
    assert readiness(stored(problems=1, details=PROBLEMS)).count == 2  # never fewer than are listed


def test_a_record_changed_after_its_check_is_stale() -> None:
    assert readiness(stored(version=3), version=4).stale
    assert not readiness(stored(version=3), version=3).stale


def test_never_posted() -> None:
    p = posting(None, record_version=2)
    assert (p.state, p.label, p.tone, p.on_tiktok, p.outdated) == ("unposted", "not on TikTok", "muted", False, False)


def test_a_refused_post_shows_tiktoks_code_and_what_to_do() -> None:
    p = posting({"state": "failed", "product_id": None, "errors": [
        {"code": "12052303", "message": "main image not 1:1", "fix": "use a square image"}]})
    assert (p.state, p.label, p.tone, p.on_tiktok) == ("failed", "not posted: TikTok refused it", "bad", False)
    assert [(e.code, e.message, e.fix) for e in p.errors] == [("12052303", "main image not 1:1", "use a square image")]


def test_review_states_in_the_clis_words() -> None:
    def label(status: str, live: bool = False) -> tuple[str, str]:
        p = posting({"state": "posted", "product_id": "17", "tiktok_status": status, "live": live})
        return p.label, p.tone

    assert label("PENDING") == ("in TikTok's review", "warn")
    assert label("ACTIVATE", live=True) == ("live on TikTok", "good")
    assert label("FAILED") == ("rejected by TikTok's review", "bad")
    assert label("PENDING", live=True) == ("in TikTok's review (the approved version stays on sale meanwhile)", "warn")


def test_tiktoks_review_reasons_per_field_with_suggestions() -> None:
    p = posting({"state": "posted", "product_id": "17", "tiktok_status": "FAILED", "audit_failed_reasons": [
        {"position": "title", "reasons": ["contains a prohibited word", "too short"], "suggestions": ["rename"]},
        {"position": None, "reasons": ["blurred image"], "suggestions": []}]})
    assert [(r.position, r.reasons, r.suggestions) for r in p.reasons] == [
        ("title", "contains a prohibited word, too short", "rename"), ("product", "blurred image", "")]


def test_a_record_changed_after_the_post_is_outdated_on_tiktok() -> None:
    raw = {"state": "posted", "product_id": "17", "tiktok_status": "ACTIVATE", "posted_version": 2,
           "sku_ids": {"TEE-B": "2", "TEE-A": "1"}}
    assert posting(raw, record_version=3).outdated
    assert not posting(raw, record_version=2).outdated
    assert posting({**raw, "record_version": 5}).outdated  # GET /products/{sku} says the record's version itself
    assert posting(raw).sku_ids == [("TEE-A", "1"), ("TEE-B", "2")]


def test_only_a_sha256_is_a_media_key() -> None:
    assert image_sha({"source": "a.jpg", "sha256": SHA}) == SHA
    assert image_sha({"source": "a.jpg", "sha256": None}) is None
    assert image_sha({"source": "a.jpg", "sha256": "../../etc/passwd"}) is None
    assert not is_sha256(SHA.upper()) and not is_sha256(SHA[:-1])


def test_product_addresses_quote_the_sku() -> None:
    assert product_href("TEE/RED?x#1", "7001") == "/listings/TEE%2FRED%3Fx%231?shop=7001"
    assert product_href("TEE", suffix="/post") == "/listings/TEE/post"


def test_a_row_of_the_product_list() -> None:
    [row] = rows.rows({"total": 1, "products": [{
        "seller_sku": "TEE-RED", "title": "Tee", "parent_sku": "TEE", "version": 4,
        "image": {"source": "img/a.jpg", "sha256": SHA}, "readiness": stored(problems=2, version=4),
        "posting": {"state": "posted", "product_id": "17", "tiktok_status": "PENDING", "posted_version": 3}}]})
    assert (row.sku, row.parent_sku, row.image, row.image_source) == ("TEE-RED", "TEE", SHA, "img/a.jpg")
    assert [p.rule for p in row.readiness.problems] == ["R33", "R32"]
    assert row.posting.label == "in TikTok's review" and row.posting.outdated


def test_the_filter_drops_an_unknown_state_and_a_state_without_a_shop() -> None:
    assert rows.chosen_filter("7001", "live", " tee ", 50) == rows.Filter("7001", "live", "tee", 50)
    assert rows.chosen_filter("7001", "nonsense", None, None).state == ""
    assert rows.chosen_filter("", "live", None, None).state == ""
    assert rows.chosen_filter("7001", None, None, -5).offset == 0


def test_the_filter_as_a_query_and_as_the_catalogs_parameters() -> None:
    chosen = rows.Filter("7001", "not_ready", "tee & co", 0)
    assert chosen.query() == "shop=7001&state=not_ready&search=tee+%26+co"
    assert chosen.query(offset=50).endswith("&offset=50")
    assert rows.api_params(rows.Filter("", "", "", 100)) == {"shop": None, "state": None, "search": None,
                                                            "limit": rows.PAGE_SIZE, "offset": 100}


def test_pages_of_the_list() -> None:
    first = rows.pager({"total": 120}, 0, 50)
    assert (first.first, first.last, first.previous, first.next) == (1, 50, None, 50)
    last = rows.pager({"total": 120}, 100, 20)
    assert (last.first, last.last, last.previous, last.next) == (101, 120, 50, None)
    assert rows.pager({"total": 0}, 0, 0).first == 0


def test_the_shop_picker_defaults_to_the_first_connected_shop() -> None:
    choices = rows.shop_choices({"shops": [{"shop_id": "7001", "name": "demo"}, {"shop_id": "7002"}]})
    assert choices == [("7001", "demo (7001)"), ("7002", "7002 (7002)")]
    assert rows.default_shop("", choices) == "7001" and rows.default_shop("7002", choices) == "7002"
    assert rows.default_shop("", []) == ""


def test_categories_found_with_path_leaf_and_permission() -> None:
    found = picker.categories({"total": 60, "categories": [
        {"id": "601", "name": "Candles", "path": "Home > Decor > Candles", "is_leaf": True, "permission": "AVAILABLE"},
        {"id": "602", "path": "Jewellery > Fine", "is_leaf": True, "permission": "INVITE_ONLY"}]})
    assert [(c.id, c.path, c.leaf, c.available) for c in found.categories] == [
        ("601", "Home > Decor > Candles", True, True), ("602", "Jewellery > Fine", True, False)]
    assert found.categories[1].permission_words == "invite-only (needs TikTok's approval)"
    assert found.more == 58
    assert picker.cleaned_search("  cand  ") == "cand" and len(picker.cleaned_search("x" * 500)) == 100
