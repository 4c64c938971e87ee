from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories

from . import factories as f


@pytest.fixture
def regions(db):
    zz = factories.zhengzhou()
    zz["erqi"] = factories.region("410103", "二七区", zz["city"])
    return zz


def _org(name: str, *, region, kind: str, nature: str):
    org = factories.organization(name, region_obj=region, kind=kind)
    org.party_nature = f.term("party_nature", nature)
    org.save(update_fields=["party_nature"])
    return org


@pytest.fixture
def seller_org(regions):
    return _org("郑州材料研究院", region=regions["jinshui"], kind="institute", nature="21")  # 科研机构


@pytest.fixture
def seller(seller_org):
    return factories.user("inst-1", organization_obj=seller_org, roles=[Role.INSTITUTION])


@pytest.fixture
def buyer_org(regions):
    return _org("中原制造有限公司", region=regions["zhongyuan"], kind="enterprise", nature="45")  # 有限责任公司


@pytest.fixture
def buyer(buyer_org):
    return factories.user("ent-1", organization_obj=buyer_org, roles=[Role.ENTERPRISE])


@pytest.fixture
def stranger(regions):
    org = factories.organization("二七科技有限公司", region_obj=regions["erqi"])
    return factories.user("ent-2", organization_obj=org, roles=[Role.ENTERPRISE])


@pytest.fixture
def officer_seller(regions):
    return factories.district_officer("officer-410105", region_obj=regions["jinshui"])


@pytest.fixture
def officer_buyer(regions):
    return factories.district_officer("officer-410102", region_obj=regions["zhongyuan"])


@pytest.fixture
def officer_out(regions):
    return factories.district_officer("officer-410103", region_obj=regions["erqi"])


@pytest.fixture
def bureau(regions):
    return factories.bureau_admin("bureau-4101", region_obj=regions["city"])


@pytest.fixture
def bureau_hebi(regions):
    return factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def roles(seller, buyer, stranger, officer_seller, officer_buyer, officer_out, bureau, bureau_hebi, anonymous):
    return {"seller": seller, "buyer": buyer, "stranger": stranger, "officer_seller": officer_seller,
            "officer_buyer": officer_buyer, "officer_out": officer_out, "bureau": bureau,
            "bureau_hebi": bureau_hebi, "anonymous": anonymous}


@pytest.fixture
def achievement(seller, bureau):
    return f.published_achievement(owner=seller, reviewer=bureau)


@pytest.fixture
def deal(achievement, buyer_org):
    return f.closed_deal(achievement=achievement, buyer=buyer_org)


@pytest.fixture
def contract(seller):
    return f.entered_contract(seller_user=seller)


# --- registration (认定登记): points, registrars with certificates ----------------------------------------

def _certificate(user, point, number: str, *, valid_from="2020-01-01", valid_to="2030-12-31", revoked=False):
    from techmarket.contracts.models import RegistrarCertificate

    return RegistrarCertificate.objects.create(user=user, point=point, number=number, valid_from=valid_from,
                                               valid_to=valid_to, revoked=revoked)


@pytest.fixture
def points(regions):
    """郑州 points 01 and 02, 鹤壁 point 01."""
    from techmarket.contracts.models import RegistrationPoint

    return {
        "zz01": RegistrationPoint.objects.create(city=regions["city"], code="01", name="郑州市技术合同登记站"),
        "zz02": RegistrationPoint.objects.create(city=regions["city"], code="02", name="郑州高新区技术合同登记点"),
        "hb01": RegistrationPoint.objects.create(city=regions["hebi"], code="01", name="鹤壁市技术合同登记站"),
    }


@pytest.fixture
def station(regions):
    return factories.organization("郑州市技术合同认定登记站", region_obj=regions["city"], kind="government")


def _registrar(username, *, organization, points, point="zz01", **cert):
    user = factories.user(username, organization_obj=organization, roles=[Role.REGISTRAR],
                          name=f"登记员{username[-1]}")
    _certificate(user, points[point], f"DJY-{username}", **cert)
    return user


@pytest.fixture
def registrar(points, station):
    return _registrar("registrar-a", organization=station, points=points)


@pytest.fixture
def registrar_other_point(points, station):
    return _registrar("registrar-b", organization=station, points=points, point="zz02")


@pytest.fixture
def registrar_expired(points, station):
    return _registrar("registrar-c", organization=station, points=points, valid_to="2021-12-31")


@pytest.fixture
def registrar_revoked(points, station):
    return _registrar("registrar-d", organization=station, points=points, revoked=True)


@pytest.fixture
def registrar_of_seller(points, seller_org):
    """A registrar employed by the seller's organization: may not examine its own contracts."""
    return _registrar("registrar-e", organization=seller_org, points=points)


@pytest.fixture
def superuser(regions):
    return factories.user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def bureau_registrar(points, regions):
    """A bureau administrator who also holds the registrar role and a certificate of point 01."""
    user = factories.user("bureau-reg", roles=[Role.BUREAU_ADMIN, Role.REGISTRAR], region_obj=regions["city"])
    _certificate(user, points["zz01"], "DJY-bureau-reg")
    return user


@pytest.fixture
def reg_roles(roles, registrar, registrar_other_point, registrar_expired, registrar_revoked, registrar_of_seller,
              superuser):
    return {**roles, "registrar": registrar, "registrar_other_point": registrar_other_point,
            "registrar_expired": registrar_expired, "registrar_revoked": registrar_revoked,
            "registrar_of_seller": registrar_of_seller, "superuser": superuser}


@pytest.fixture
def stats_calls(monkeypatch):
    """Records each stats_apply(contract, sign) call (pk, sign, status, tech amount) and passes it on to the
    real function."""
    from techmarket.contractstats import services as contractstats

    calls = []
    real = contractstats.stats_apply

    def recording(contract, sign):
        calls.append((contract.pk, sign, contract.status, contract.tech_amount_fen))
        return real(contract, sign)

    monkeypatch.setattr(contractstats, "stats_apply", recording)
    return calls
