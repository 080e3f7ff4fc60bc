"""Talent search on both databases, and every route closed to other tenants and bad input."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def search(catalog, p, **query):
    answer = catalog.client.get(f"/api/v1/partners/{p['id']}/talent", query_string=query, headers=p["headers"])
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_search_bar_and_filters(catalog):
    p = catalog.partner()
    catalog.talent("fl-a", name="Grace Hopper", skills=["COBOL", "Compilers"], country="US", jss=99,
                   badges=["expert_vetted"], hourly_rate=200.0)
    catalog.talent("fl-b", name="Alan Turing", title="Cryptanalyst", skills=["Mathematics"], country="GB", jss=85)
    catalog.talent("fl-c", name="Ada Lovelace", skills=["Mathematics", "Poetry"], country="GB", jss=0,
                   eligible=False, ineligible_reasons=["jss_below_threshold"], eligible_for_partners=[p["id"]])
    catalog.talent("fl-d", name="Niklaus Wirth", skills=["Pascal"], country="CH", jss=60,
                   eligible=False, ineligible_reasons=["jss_below_threshold"])
    ids = lambda **q: [i["freelancer_id"] for i in search(catalog, p, **q)["items"]]  # noqa: E731
    assert ids(q="grace") == ["fl-a"]
    assert ids(q="crypt") == ["fl-b"]                      # title, by prefix
    assert ids(q="mathematics") == ["fl-c", "fl-b"]        # skills; ordered by name
    assert ids(q="ada poetry") == ["fl-c"]                 # every word must match
    assert ids(skill="mathematics") == ["fl-c", "fl-b"]
    assert ids(badge="expert_vetted") == ["fl-a"]
    assert ids(min_jss=90) == ["fl-a"]
    assert ids(max_rate=100) == ["fl-c", "fl-b", "fl-d"]
    assert ids(country="gb") == ["fl-c", "fl-b"]
    assert ids(eligible="true") == ["fl-c", "fl-b", "fl-a"]
    assert ids(eligible="false") == ["fl-d"]
    wirth = search(catalog, p, q="wirth")["items"][0]
    assert wirth["eligible"] is False and wirth["ineligible_reasons"] == ["jss_below_threshold"]
    other = catalog.partner()
    assert [i["eligible"] for i in search(catalog, other, q="ada")["items"]] == [False]


def test_a_profile_follows_the_newest_event_whatever_order_they_arrive_in(catalog):
    p = catalog.partner()
    catalog.talent("fl-a", updated_at="2026-02-01T00:00:00Z", name="Grace Hopper", hourly_rate=150.0)
    catalog.talent("fl-a", updated_at="2026-01-01T00:00:00Z", name="Grace Older", hourly_rate=90.0)
    catalog.talent("fl-a", updated_at="2026-02-01T00:00:00Z", name="Grace Same Time", hourly_rate=10.0)
    [shown] = search(catalog, p, q="grace")["items"]
    assert (shown["name"], shown["hourly_rate"]) == ("Grace Hopper", 150.0)
    catalog.talent("fl-a", updated_at="2026-03-01T00:00:00Z", name="Grace Brewster Hopper", skills=["COBOL"])
    [shown] = search(catalog, p, q="brewster")["items"]
    assert (shown["name"], shown["skills"], shown["hourly_rate"]) == ("Grace Brewster Hopper", ["COBOL"], 80.0)
    assert search(catalog, p, q="grace", skill="python")["items"] == []  # the old skills left the index


def test_pages_of_results_follow_a_stable_cursor(catalog):
    p = catalog.partner()
    for i in range(7):
        catalog.talent(f"fl-{i}", name=f"Expert {i}")
    first = search(catalog, p, limit=3)
    catalog.talent("fl-x", name="AAA Newcomer")  # sorts before the cursor: must not shift later pages
    second = search(catalog, p, limit=3, cursor=first["next_cursor"])
    third = search(catalog, p, limit=3, cursor=second["next_cursor"])
    seen = [i["freelancer_id"] for page in (first, second, third) for i in page["items"]]
    assert seen == [f"fl-{i}" for i in range(7)] and third["next_cursor"] is None


@pytest.mark.parametrize("query,code", [({"cursor": "garbage"}, "invalid_cursor"), ({"limit": 0}, "invalid_parameter"),
                                        ({"limit": 201}, "invalid_parameter"), ({"min_jss": 101}, "invalid_parameter"),
                                        ({"badge": "famous"}, "invalid_parameter"), ({"eligible": "maybe"}, "invalid_parameter"),
                                        ({"country": "USA"}, "invalid_parameter")])
def test_bad_search_parameters_are_400(catalog, query, code):
    p = catalog.partner()
    answer = catalog.client.get(f"/api/v1/partners/{p['id']}/talent", query_string=query, headers=p["headers"])
    assert answer.status_code == 400 and answer.get_json()["code"] == code


def test_bad_bodies_are_refused(catalog):
    p = catalog.partner()
    base = f"/api/v1/partners/{p['id']}"
    uid = catalog.client.post(f"{base}/use-cases", json={"name": "Ok"}, headers=p["headers"]).get_json()["id"]
    for body in ({"name": ""}, {"name": "   "}, {"name": "x" * 61}, {"name": 5}, {}, {"name": "ok", "extra": 1}):
        assert catalog.client.post(f"{base}/use-cases", json=body, headers=p["headers"]).status_code == 422, body
    saves = [{"freelancer_ids": []}, {"freelancer_ids": [f"fl-{i}" for i in range(10000)]},
             {"freelancer_ids": ["a", "a"]}, {"freelancer_ids": "fl-1"}, {"freelancer_ids": ["bad id!"]}]
    for body in saves:
        answer = catalog.client.post(f"{base}/use-cases/{uid}/experts", json=body, headers=p["headers"])
        assert answer.status_code == 422, body
    unknown = catalog.client.post(f"{base}/use-cases/{uid}/experts", json={"freelancer_ids": ["fl-none"]},
                                  headers=p["headers"])
    assert unknown.get_json()["code"] == "talent_not_found"
    bad_json = catalog.client.post(f"{base}/use-cases", data="{", content_type="application/json", headers=p["headers"])
    assert bad_json.status_code == 400 and bad_json.get_json()["code"] == "invalid_json"
    assert catalog.client.post(f"{base}/use-cases/{uid}/experts/fl-none/approve", headers=p["headers"]).status_code == 404


def test_every_route_answers_404_for_another_partners_ids_and_401_without_a_token(catalog):
    mine, theirs = catalog.partner(), catalog.partner()
    catalog.talent("fl-1")
    base = f"/api/v1/partners/{theirs['id']}"
    uid = catalog.client.post(f"{base}/use-cases", json={"name": "Theirs"}, headers=theirs["headers"]).get_json()["id"]
    catalog.client.post(f"{base}/use-cases/{uid}/experts", json={"freelancer_ids": ["fl-1"]}, headers=theirs["headers"])
    catalog.client.post(f"{base}/use-cases/{uid}/experts/fl-1/approve", headers=theirs["headers"])
    oid = catalog.client.post(f"{base}/use-cases/{uid}/offerings", headers=theirs["headers"], json={
        "kind": "project", "offering_id": "pr-fl-1", "freelancer_id": "fl-1"}).get_json()["id"]
    my_uid = catalog.client.post(f"/api/v1/partners/{mine['id']}/use-cases", json={"name": "Mine"},
                                 headers=mine["headers"]).get_json()["id"]
    routes = [("GET", "/use-cases", None), ("POST", "/use-cases", {"name": "x"}),
              ("PATCH", f"/use-cases/{uid}", {"name": "y"}), ("DELETE", f"/use-cases/{uid}", None),
              ("GET", "/talent", None), ("POST", f"/use-cases/{uid}/experts", {"freelancer_ids": ["fl-1"]}),
              ("GET", f"/use-cases/{uid}/experts", None), ("POST", f"/use-cases/{uid}/experts/fl-1/approve", None),
              ("POST", f"/use-cases/{uid}/experts/fl-1/decline", None), ("GET", f"/use-cases/{uid}/offerings", None),
              ("POST", f"/use-cases/{uid}/offerings", {"kind": "project", "offering_id": "pr-fl-1", "freelancer_id": "fl-1"}),
              ("DELETE", f"/use-cases/{uid}/offerings/{oid}", None), ("GET", "/page", None),
              ("PUT", "/page/published", {"published": False}), ("GET", "/activity", None)]
    for method, path, body in routes:
        as_stranger = catalog.client.open(f"{base}{path}", method=method, json=body, headers=mine["headers"])
        assert as_stranger.status_code == 404, (method, path, as_stranger.get_json())
        assert catalog.client.open(f"{base}{path}", method=method, json=body).status_code == 401
        operator = catalog.client.open(f"{base}{path}", method=method, json=body,
                                       headers={"Authorization": "Bearer op-token"})
        assert operator.status_code == 403
        # their use case under my partner id is just as missing
        if "use-cases/" in path:
            mixed = catalog.client.open(f"/api/v1/partners/{mine['id']}{path}", method=method, json=body,
                                        headers=mine["headers"])
            assert mixed.status_code == 404, (method, path)
    assert my_uid
    still = catalog.client.get(f"{base}/use-cases/{uid}/experts", headers=theirs["headers"]).get_json()["items"]
    assert still[0]["status"] == "approved"


def test_the_internal_pages_api_needs_the_service_token(catalog):
    p = catalog.partner()
    assert catalog.client.get(f"/internal/v1/pages/{p['id']}").status_code == 401
    assert catalog.client.get(f"/internal/v1/pages/{p['id']}", headers=p["headers"]).status_code == 403
    assert catalog.client.get("/internal/v1/pages/none", headers={"Authorization": "Bearer op-token"}).status_code == 404
