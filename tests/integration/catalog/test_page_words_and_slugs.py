"""The page's headline, intro and embed origins (PATCH .../page), use case slugs that survive a
rename, and what the page content sent to the gateway carries (issue 17, "The page")."""
from __future__ import annotations

import pytest

from tests.integration.catalog.test_curation_and_publishing import base, decide, publish, ready, save, use_case

pytestmark = pytest.mark.integration


def patch_page(catalog, p, body):
    return catalog.client.patch(f"{base(p)}/page", json=body, headers=p["headers"])


def internal_page(catalog, p) -> dict:
    answer = catalog.client.get(f"/internal/v1/pages/{p['id']}", headers={"Authorization": "Bearer op-token"})
    return answer.get_json()["page"]


def test_a_partner_sets_the_headline_intro_and_embed_origins_and_gets_the_page_back(catalog):
    p = catalog.partner()
    answer = patch_page(catalog, p, {"headline": "  Hire   certified experts ", "intro": "Line one.\nLine two.",
                                     "embed_origins": ["https://Shop.Example.com", "https://app.example.com:8443"]})
    assert answer.status_code == 200, answer.get_json()
    page = answer.get_json()
    assert page["headline"] == "Hire certified experts" and page["intro"] == "Line one.\nLine two."
    assert page["embed_origins"] == ["https://shop.example.com", "https://app.example.com:8443"]
    assert page["slug"] == p["slug"] and "requirements" in page
    assert patch_page(catalog, p, {"intro": ""}).get_json()["headline"] == "Hire certified experts"
    got = catalog.client.get(f"{base(p)}/page", headers=p["headers"]).get_json()
    assert got["intro"] == "" and got["embed_origins"] == ["https://shop.example.com", "https://app.example.com:8443"]
    content = internal_page(catalog, p)
    assert content["headline"] == "Hire certified experts" and content["embed_origins"] == got["embed_origins"]


BAD_WORDS = [
    ({"headline": ""}, "headline"), ({"headline": "   "}, "headline"), ({"headline": "x" * 81}, "headline"),
    ({"intro": "y" * 601}, "intro"), ({"intro": "bell\x07"}, "intro"), ({"headline": 5}, "headline"),
    ({"embed_origins": ["http://shop.example.com"]}, "embed_origins"),
    ({"embed_origins": ["https://shop.example.com/path"]}, "embed_origins"),
    ({"embed_origins": ["https://user@shop.example.com"]}, "embed_origins"),
    ({"embed_origins": ["https://shop.example.com:99999"]}, "embed_origins"),
    ({"embed_origins": ["javascript:alert(1)"]}, "embed_origins"),
    ({"embed_origins": ["https://a.example.com", "https://A.example.com"]}, "embed_origins"),
    ({"embed_origins": [f"https://s{i}.example.com" for i in range(21)]}, "embed_origins"),
    ({"colour": "red"}, "colour"),
]


def test_bad_page_words_are_422_with_the_field_named_and_change_nothing(catalog):
    p = catalog.partner()
    for body, field in BAD_WORDS:
        answer = patch_page(catalog, p, body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert answer.get_json()["code"] == "validation_error" and field in answer.get_json()["errors"], body
    assert catalog.client.get(f"{base(p)}/page", headers=p["headers"]).get_json()["headline"] == ""


def test_another_partners_page_is_404(catalog):
    p, other = catalog.partner(), catalog.partner()
    answer = catalog.client.patch(f"{base(other)}/page", json={"headline": "Mine"}, headers=p["headers"])
    assert answer.status_code == 404


def test_use_case_slugs_come_from_the_name_stay_unique_and_keep_old_ones_after_a_rename(catalog):
    p = catalog.partner()
    first = catalog.client.post(f"{base(p)}/use-cases", json={"name": "Shopify Apps & Themes"},
                                headers=p["headers"]).get_json()
    assert first["slug"] == "shopify-apps-themes"
    twin = catalog.client.post(f"{base(p)}/use-cases", json={"name": "Shopify apps themes!"},
                               headers=p["headers"]).get_json()
    assert twin["slug"] == "shopify-apps-themes-2"
    other_partner = catalog.partner()
    same_name = catalog.client.post(f"{base(other_partner)}/use-cases", json={"name": "Shopify Apps & Themes"},
                                    headers=other_partner["headers"]).get_json()
    assert same_name["slug"] == "shopify-apps-themes"
    renamed = catalog.client.patch(f"{base(p)}/use-cases/{first['id']}", json={"name": "Storefront Design"},
                                   headers=p["headers"]).get_json()
    assert renamed["slug"] == "storefront-design"
    listed = catalog.client.get(f"{base(p)}/use-cases", headers=p["headers"]).get_json()["items"]
    assert {uc["slug"] for uc in listed} == {"storefront-design", "shopify-apps-themes-2"}
    third = catalog.client.post(f"{base(p)}/use-cases", json={"name": "Shopify Apps and Themes"},
                                headers=p["headers"]).get_json()
    assert third["slug"] == "shopify-apps-and-themes"
    back = catalog.client.patch(f"{base(p)}/use-cases/{first['id']}", json={"name": "Shopify Apps & Themes"},
                                headers=p["headers"]).get_json()
    assert back["slug"] == "shopify-apps-themes"  # its own old slug, not a numbered one
    assert catalog.client.post(f"{base(p)}/use-cases", json={"name": "山田 🚀"},
                               headers=p["headers"]).get_json()["slug"] == "shan-tian"


def test_the_page_content_hides_empty_use_cases_and_carries_slugs_redirects_and_talent_links(catalog):
    p = catalog.partner()
    uid = ready(catalog, p, 10)
    catalog.talent("fl-0", updated_at="2026-02-01T00:00:00Z", profile_url="https://www.upwork.com/freelancers/~0",
                   photo_url="https://img.example.com/0.jpg", availability="available_now",
                   projects=[{"id": "pr-fl-0", "title": "Setup", "price": 400.0, "delivery_days": 4,
                              "url": "https://www.upwork.com/services/product/setup-0"}])
    featured = catalog.client.post(f"{base(p)}/use-cases/{uid}/offerings", headers=p["headers"],
                                   json={"kind": "project", "offering_id": "pr-fl-0", "freelancer_id": "fl-0"})
    assert featured.status_code == 201
    empty = use_case(catalog, p, "Nobody Here Yet")
    pending_only = use_case(catalog, p, "Only Pending")
    save(catalog, p, pending_only, ["fl-1"])
    catalog.client.patch(f"{base(p)}/use-cases/{uid}", json={"name": "Email Flows"}, headers=p["headers"])
    assert publish(catalog, p).status_code == 200
    content = internal_page(catalog, p)
    assert [uc["slug"] for uc in content["use_cases"]] == ["email-flows"]
    assert empty and content["slug_redirects"] == {"email-automation": "email-flows"}
    expert = next(e for e in content["use_cases"][0]["experts"] if e["freelancer_id"] == "fl-0")
    assert expert["profile_url"] == "https://www.upwork.com/freelancers/~0"
    assert expert["photo_url"] == "https://img.example.com/0.jpg" and expert["availability"] == "available_now"
    assert content["use_cases"][0]["projects"][0]["url"] == "https://www.upwork.com/services/product/setup-0"
    others = [e for e in content["use_cases"][0]["experts"] if e["freelancer_id"] != "fl-0"]
    assert others[0]["profile_url"] is None and others[0]["availability"] is None
    assert decide(catalog, p, uid, "fl-0", "decline").status_code == 200
