"""Roles × actions × in-scope/out-of-scope, generated, through the API (SPEC §3 status codes).

Records: HOME is an organization in 金水区 (410105) whose member is the enterprise user;
AWAY is an organization in 鹤壁 (410611), outside every actor's scope but the superuser's.
"""
import itertools
import json

import pytest

from techmarket.accounts.services import api_token_create
from techmarket.directory.models import Organization, Qualification

from .factories import make_organization

pytestmark = pytest.mark.django_db

ACTORS = {
    # name: (role, staff region, member of HOME?)
    "superuser": (None, None, False),
    "bureau_admin": ("bureau_admin", "410100", False),
    "district_officer": ("district_officer", "410105", False),
    "other_district_officer": ("district_officer", "410103", False),
    "member": ("enterprise", None, True),
    "other_enterprise": ("enterprise", None, False),
    "expert": ("expert", None, False),
    "anonymous": (None, None, False),
}
ACTIONS = ["view", "edit", "edit_identity", "delete", "add_qualification", "create_here"]
TARGETS = ["home", "away"]


def expected(actor: str, action: str, target: str) -> int | str:
    """The rule book, written out: HTTP status, or 'public'/'managed' for reads."""
    in_scope = target == "home" and actor in {"bureau_admin", "district_officer"} or actor == "superuser"
    if actor == "anonymous":
        return "public" if action == "view" else 401
    if action == "view":
        return "managed" if in_scope or (actor == "member" and target == "home") else "public"
    if action == "create_here":
        return 201 if in_scope else 403
    staff_in_scope = in_scope
    can_see_managed = staff_in_scope or (actor == "member" and target == "home")
    if not can_see_managed:
        return 404
    if action == "edit":
        return 200
    if action == "edit_identity":
        return 200 if staff_in_scope else 403
    if action == "delete":
        return 204 if actor in {"superuser", "bureau_admin"} else 403
    if action == "add_qualification":
        return 201 if staff_in_scope else 403
    raise AssertionError(action)


CASES = list(itertools.product(ACTORS, ACTIONS, TARGETS))


@pytest.mark.parametrize(("actor", "action", "target"), CASES, ids=["-".join(c) for c in CASES])
def test_permission_matrix(client, make_user, actor, action, target):
    # given
    home = make_organization("金水家园科技有限公司", region_code="410105")
    away = make_organization("鹤壁远方材料有限公司", region_code="410611")
    record = home if target == "home" else away
    role, region, member = ACTORS[actor]
    headers = {}
    if actor != "anonymous":
        user = make_user(actor, role, region_code=region, organization=home if member else None,
                         superuser=actor == "superuser")
        if actor == "other_enterprise":
            user.organization = make_organization("别家企业有限公司", region_code="410105")
            user.save()
        _t, raw = api_token_create(user=user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/organizations/{record.pk}"

    def send(method, path, data=None):
        kwargs = dict(headers)
        if data is not None:
            return getattr(client, method)(path, json.dumps(data), content_type="application/json", **kwargs)
        return getattr(client, method)(path, **kwargs)

    # when
    if action == "view":
        resp = send("get", url)
        outcome = resp.json().get("representation")
    elif action == "edit":
        resp = send("patch", url, {"description": "更新简介"})
        outcome = resp.status_code
    elif action == "edit_identity":
        resp = send("patch", url, {"kind": "institute"})
        outcome = resp.status_code
    elif action == "delete":
        resp = send("delete", url)
        outcome = resp.status_code
    elif action == "add_qualification":
        resp = send("post", url + "/qualifications", {"kind": "hitech", "level": "national",
                                                      "recognised_on": "2025-10-01", "valid_until": "2028-09-30"})
        outcome = resp.status_code
    else:  # create an organization in the target's region
        from .factories import valid_credit_code

        resp = send("post", "/api/v1/organizations", {"name": "新单位有限公司", "kind": "enterprise",
                                                      "credit_code": valid_credit_code(record.region.code),
                                                      "region": record.region.code})
        outcome = resp.status_code

    # then
    assert outcome == expected(actor, action, target), resp.content.decode()[:300]
    if isinstance(outcome, int) and outcome >= 400:
        assert resp.json()["errors"][0]["message"]
        record.refresh_from_db()
        assert record.description == "" and record.kind == "enterprise"
        assert not Qualification.objects.filter(organization=record).exists()
        assert not Organization.objects.filter(name="新单位有限公司").exists()
