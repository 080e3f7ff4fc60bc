"""An Idempotency-Key repeat is answered only to a caller who may still make the call."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_a_removed_member_repeating_a_keyed_call_is_refused_not_given_the_stored_answer(catalog):
    partner = catalog.partner()
    path = f"/api/v1/partners/{partner['id']}/use-cases"
    headers = {**partner["headers"], "Idempotency-Key": "create-design"}
    first = catalog.client.post(path, json={"name": "Design"}, headers=headers)
    assert first.status_code == 201
    assert catalog.client.post(path, json={"name": "Design"}, headers=headers).get_json() == first.get_json()

    catalog.deliver("membership.member.removed",
                    {"partner_id": partner["id"], "account_id": partner["admin"], "role": "admin"})
    repeat = catalog.client.post(path, json={"name": "Design"}, headers=headers)

    assert repeat.status_code == 404
    assert repeat.get_json()["code"] == "not_found"
