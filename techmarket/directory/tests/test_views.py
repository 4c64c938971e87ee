"""Registry pages: public view, managed view under /manage/, forms that call the services (SPEC §3, R1–R3)."""
from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from freezegun import freeze_time

from techmarket.accounts.models import User
from techmarket.accounts.roles import ROLE_PERMISSIONS, Role
from techmarket.directory import services
from techmarket.directory.credit_code import check_character
from techmarket.directory.models import Contact, Organization, Person
from techmarket.regions.models import Region

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def credit_code(region: str = "410105") -> str:
    first17 = "91" + region + "MA" + "{:07d}".format(next(_serial))
    return first17 + check_character(first17)


def role_group(role: str) -> Group:
    """The role's group with its permissions (the accounts app syncs them after migrate; tests do it here)."""
    group, _created = Group.objects.get_or_create(name=role)
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".")
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            group.permissions.add(perm)
    return group


def new_user(username: str, *, role: str | None = None, region: str | None = None, organization=None) -> User:
    user = User.objects.create_user(username=username, password="x", name=username,
                                    region=Region.objects.get(code=region) if region else None,
                                    organization=organization)
    if role:
        user.groups.add(role_group(role))
    return user


@pytest.fixture
def bureau():
    return new_user("bureau-4101", role=Role.BUREAU_ADMIN, region="410100")


@pytest.fixture
def officer():
    return new_user("officer-410105", role=Role.DISTRICT_OFFICER, region="410105")


def make_org(by, *, name="金水科技有限公司", region="410105", contacts=None, **extra) -> Organization:
    data = {"name": name, "credit_code": credit_code(region), "kind": "enterprise", "region": region, **extra}
    return services.organization_create(by=by, data=data, contacts=contacts)


def make_person(by, *, name="张专家", region="410105", **extra) -> Person:
    data = {"name": name, "kind": "expert", "region": region, "phone": "13812345678",
            "email": "zhang.expert@example.com", **extra}
    return services.person_create(by=by, data=data)


def org_form_data(**overrides) -> dict:
    data = {
        "name": "新登记科技有限公司", "credit_code": credit_code(), "kind": "enterprise", "party_nature": "",
        "region": "410105", "region_code": "", "address": "", "website": "", "legal_representative": "",
        "established_on": "", "industry": "", "description": "", "notes": "",
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-id": "", "contacts-0-name": "", "contacts-0-title": "", "contacts-0-phone": "",
        "contacts-0-email": "",
    }
    data.update(overrides)
    return data


def edit_form_data(org: Organization, **overrides) -> dict:
    """What the edit page posts back when nothing but ``overrides`` is changed."""
    contacts = list(org.contacts.all())
    data = org_form_data(name=org.name, credit_code=org.credit_code, kind=org.kind, region=org.region.code,
                         **{"contacts-TOTAL_FORMS": str(len(contacts) + 1),
                            "contacts-INITIAL_FORMS": str(len(contacts))})
    for i, c in enumerate(contacts):
        data.update({f"contacts-{i}-id": str(c.pk), f"contacts-{i}-name": c.name, f"contacts-{i}-title": c.title,
                     f"contacts-{i}-phone": c.phone, f"contacts-{i}-email": c.email})
    n = len(contacts)
    data.update({f"contacts-{n}-id": "", f"contacts-{n}-name": "", f"contacts-{n}-title": "",
                 f"contacts-{n}-phone": "", f"contacts-{n}-email": ""})
    data.update(overrides)
    return data


def names_in(response) -> list[str]:
    return [o.name for o in response.context["page_obj"]]


# Public view --------------------------------------------------------------------------------------

class TestOrganizationListPublic:
    def test_region_filter_includes_the_subtree(self, client, bureau):
        # given
        make_org(bureau, name="金水区企业", region="410105")
        make_org(bureau, name="二七区企业", region="410103")

        # when
        city = client.get("/organizations/", {"region": "410100"})
        district = client.get("/organizations/", {"region": "410105"})
        other = client.get("/organizations/", {"region": "410103"})

        # then
        assert "金水区企业" in names_in(city) and "二七区企业" in names_in(city)
        assert names_in(district) == ["金水区企业"]
        assert names_in(other) == ["二七区企业"]

    def test_short_city_code_is_accepted(self, client, bureau):
        # given
        make_org(bureau, name="金水区企业", region="410105")

        # when
        response = client.get("/organizations/", {"region": "4101"})

        # then
        assert not response.context["form"].errors
        assert names_in(response) == ["金水区企业"]

    def test_free_region_code_input_accepts_a_code_outside_the_select(self, client, bureau):
        # given
        make_org(bureau, name="金水区企业", region="410105")

        # when
        response = client.get("/organizations/", {"region_code": "410105"})

        # then
        assert names_in(response) == ["金水区企业"]

    def test_unknown_region_code_is_shown_as_a_field_error_and_not_applied(self, client, bureau):
        # given
        make_org(bureau, name="金水区企业", region="410105")

        # when
        response = client.get("/organizations/", {"region_code": "999999"})

        # then
        assert response.status_code == 200
        assert "未找到行政区划" in response.context["form"].errors["region_code"][0]
        assert names_in(response) == ["金水区企业"]

    @freeze_time("2025-06-01")
    def test_qualification_filter_keeps_only_valid_ones_today(self, client, bureau):
        # given
        valid = make_org(bureau, name="有效高企")
        expired = make_org(bureau, name="过期高企")
        services.qualification_add(organization=valid, by=bureau, kind="hitech", recognised_on="2024-01-01",
                                   valid_until="2026-12-31")
        services.qualification_add(organization=expired, by=bureau, kind="hitech", recognised_on="2020-01-01",
                                   valid_until="2022-12-31")

        # when
        response = client.get("/organizations/", {"qualification": "hitech"})

        # then
        assert names_in(response) == ["有效高企"]

    def test_kind_and_field_filters(self, client, bureau):
        # given
        make_org(bureau, name="软件企业", tech_fields=["101"])
        make_org(bureau, name="某大学", kind="university", tech_fields=["20"])

        # when
        by_kind = client.get("/organizations/", {"kind": "university"})
        by_domain = client.get("/organizations/", {"field": "10"})
        both_kinds = client.get("/organizations/?kind=university&kind=enterprise")

        # then
        assert names_in(by_kind) == ["某大学"]
        assert names_in(by_domain) == ["软件企业"]
        assert sorted(names_in(both_kinds)) == ["某大学", "软件企业"]

    def test_twenty_per_page_and_page_links_keep_the_filters(self, client, bureau):
        # given
        for i in range(21):
            make_org(bureau, name=f"企业{i:02d}")
        make_org(bureau, name="别区企业", region="410103")

        # when
        first = client.get("/organizations/", {"region": "410105"})
        second = client.get("/organizations/", {"region": "410105", "page": "2"})

        # then
        assert len(first.context["page_obj"]) == 20
        assert first.context["page_obj"].paginator.count == 21
        assert "共 <strong>21</strong> 家单位" in first.content.decode()
        assert "?region=410105&amp;page=2" in first.content.decode()
        assert names_in(second) == ["企业20"]


class TestOrganizationDetailPublic:
    def test_never_shows_contact_phone_or_email(self, client, bureau):
        # given
        org = make_org(bureau, contacts=[{"name": "李联系", "title": "经理", "phone": "13812345678",
                                          "email": "lianxi@example.com"}], notes="内部备注不公开")

        # when
        response = client.get(f"/organizations/{org.pk}/")

        # then
        html = response.content.decode()
        assert response.status_code == 200
        assert org.name in html and org.credit_code in html
        for secret in ("13812345678", "138****5678", "lianxi@", "li***@example.com", "李联系", "内部备注不公开"):
            assert secret not in html

    def test_manage_button_only_for_those_who_may_manage(self, client, bureau, officer):
        # given
        org = make_org(bureau)
        url = f"/organizations/{org.pk}/"
        managed = reverse("directory:manage_organization_detail", kwargs={"pk": org.pk})

        # when
        anonymous = client.get(url).content.decode()
        client.force_login(officer)
        staff = client.get(url).content.decode()

        # then
        assert managed not in anonymous
        assert managed in staff and "管理视图" in staff

    def test_lists_its_platforms_and_people(self, client, bureau):
        # given
        org = make_org(bureau)
        services.platform_create(by=bureau, data={"name": "金水重点实验室", "kind": "key_lab", "level": "municipal",
                                                  "organization": org.credit_code, "recognised_on": "2024-01-01"})
        make_person(bureau, name="王研究", organization=org.credit_code)

        # when
        html = client.get(f"/organizations/{org.pk}/").content.decode()

        # then
        assert "金水重点实验室" in html and "王研究" in html

    def test_unknown_organization_is_404(self, client):
        assert client.get("/organizations/999999/").status_code == 404


class TestPeoplePublic:
    def test_detail_never_shows_phone_email_or_id_number(self, client, bureau):
        # given
        person = make_person(bureau, id_number="11010519491231002X", expertise="工业机器人控制")

        # when
        html = client.get(f"/people/{person.pk}/").content.decode()

        # then
        assert "工业机器人控制" in html
        for secret in ("13812345678", "138****5678", "zhang.expert", "11010519491231002X", "1101**********002X"):
            assert secret not in html

    def test_list_filters_by_region_and_kind(self, client, bureau):
        # given
        make_person(bureau, name="金水专家")
        make_person(bureau, name="二七经纪人", region="410103", kind="broker")

        # when
        by_region = client.get("/people/", {"region": "410105"})
        by_kind = client.get("/people/", {"kind": "broker"})

        # then
        assert names_in(by_region) == ["金水专家"]
        assert names_in(by_kind) == ["二七经纪人"]


class TestPlatformsPublic:
    @freeze_time("2025-06-01")
    def test_list_filters_by_level_and_validity(self, client, bureau):
        # given
        org = make_org(bureau)
        services.platform_create(by=bureau, data={"name": "有效省级平台", "kind": "eng_centre", "level": "provincial",
                                                  "organization": org.credit_code, "recognised_on": "2024-01-01",
                                                  "valid_until": "2027-01-01"})
        services.platform_create(by=bureau, data={"name": "过期市级平台", "kind": "incubator", "level": "municipal",
                                                  "organization": org.credit_code, "recognised_on": "2018-01-01",
                                                  "valid_until": "2021-01-01"})

        # when
        provincial = client.get("/platforms/", {"level": "provincial"})
        valid = client.get("/platforms/", {"valid": "on"})
        detail = client.get("/platforms/{pk}/".format(pk=provincial.context["page_obj"][0].pk))

        # then
        assert names_in(provincial) == ["有效省级平台"]
        assert names_in(valid) == ["有效省级平台"]
        assert detail.status_code == 200 and org.name in detail.content.decode()


# Managed view: scope -------------------------------------------------------------------------------

class TestManagedOrganizationScope:
    def test_officer_sees_an_organization_of_their_district(self, client, bureau, officer):
        # given
        org = make_org(bureau, region="410105", notes="走访记录")
        client.force_login(officer)

        # when
        response = client.get(f"/manage/organizations/{org.pk}/")

        # then
        assert response.status_code == 200
        assert "走访记录" in response.content.decode()

    def test_officer_gets_404_outside_their_district_for_pages_and_writes(self, client, bureau, officer):
        # given
        org = make_org(bureau, name="二七区企业", region="410103")
        client.force_login(officer)

        # when
        detail = client.get(f"/manage/organizations/{org.pk}/")
        edit = client.get(f"/manage/organizations/{org.pk}/edit/")
        post = client.post(f"/manage/organizations/{org.pk}/edit/", edit_form_data(org, name="被改名"))
        confirm = client.post(f"/manage/organizations/{org.pk}/confirm/")
        qualification = client.post(f"/manage/organizations/{org.pk}/qualifications/",
                                    {"kind": "hitech", "recognised_on": "2024-01-01"})

        # then
        assert [detail.status_code, edit.status_code, post.status_code, confirm.status_code,
                qualification.status_code] == [404, 404, 404, 404, 404]
        org.refresh_from_db()
        assert org.name == "二七区企业" and org.last_confirmed_at is None
        assert not org.qualifications.exists()

    def test_managed_list_holds_only_the_subtree(self, client, bureau, officer):
        # given
        make_org(bureau, name="金水区企业", region="410105")
        make_org(bureau, name="二七区企业", region="410103")
        client.force_login(officer)

        # when
        response = client.get("/manage/organizations/")

        # then
        assert names_in(response) == ["金水区企业"]

    def test_anonymous_visitor_is_sent_to_login_and_changes_nothing(self, client, bureau):
        # given
        org = make_org(bureau, name="金水区企业")

        # when
        page = client.get(f"/manage/organizations/{org.pk}/")
        post = client.post(f"/manage/organizations/{org.pk}/edit/", edit_form_data(org, name="被改名"))

        # then
        assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))
        assert post.status_code == 302
        org.refresh_from_db()
        assert org.name == "金水区企业"

    def test_a_user_without_role_or_organization_gets_404(self, client):
        # given
        client.force_login(new_user("nobody"))

        # when / then
        assert client.get("/manage/organizations/").status_code == 404
        assert client.get("/manage/organizations/new/").status_code == 404


# Managed view: forms -------------------------------------------------------------------------------

class TestOrganizationCreatePage:
    def test_creates_with_contacts_and_redirects_to_the_managed_page(self, client, officer):
        # given
        client.force_login(officer)
        data = org_form_data(**{"contacts-0-name": "赵联系", "contacts-0-phone": "13900001111",
                                "tech_fields": ["101"], "industry": "6513", "party_nature": "40"})

        # when
        response = client.post("/manage/organizations/new/", data)

        # then
        org = Organization.objects.get(name="新登记科技有限公司")
        assert response.status_code == 302
        assert response["Location"] == f"/manage/organizations/{org.pk}/"
        assert [c.phone for c in org.contacts.all()] == ["13900001111"]
        assert org.industry.code == "6513" and [t.code for t in org.tech_fields.all()] == ["101"]

    def test_invalid_credit_code_shows_the_chinese_error_on_the_field_and_saves_nothing(self, client, officer):
        # given
        client.force_login(officer)
        code = credit_code()
        wrong = code[:17] + ("0" if code[17] != "0" else "1")

        # when
        response = client.post("/manage/organizations/new/", org_form_data(
            credit_code=wrong, **{"contacts-0-name": "赵联系", "contacts-0-phone": "13900001111"}))

        # then
        assert response.status_code == 200
        errors = response.context["form"].errors["credit_code"]
        assert errors and errors[0].startswith("统一社会信用代码无效") and "校验位错误" in errors[0]
        assert 'id="id_credit_code_errors"' in response.content.decode()
        assert not Organization.objects.exists()
        assert not Contact.objects.exists()

    def test_duplicate_credit_code_from_the_service_lands_on_the_field(self, client, bureau, officer):
        # given
        existing = make_org(bureau)
        client.force_login(officer)

        # when
        response = client.post("/manage/organizations/new/", org_form_data(credit_code=existing.credit_code.lower()))

        # then
        assert response.status_code == 200
        assert response.context["form"].errors["credit_code"] == ["该统一社会信用代码已登记"]
        assert Organization.objects.count() == 1

    def test_region_outside_the_scope_is_refused_on_the_field(self, client, officer):
        # given
        client.force_login(officer)

        # when
        response = client.post("/manage/organizations/new/", org_form_data(region="", region_code="410103"))

        # then
        assert response.status_code == 200
        assert "不在您的管辖范围内" in response.context["form"].errors["region_code"][0]
        assert not Organization.objects.exists()

    def test_bad_contact_email_goes_to_its_row(self, client, officer):
        # given
        client.force_login(officer)

        # when
        response = client.post("/manage/organizations/new/", org_form_data(
            **{"contacts-0-name": "赵联系", "contacts-0-email": "不是邮箱"}))

        # then
        assert response.status_code == 200
        assert response.context["contacts"].forms[0].errors["email"]
        assert not Organization.objects.exists()


class TestOrganizationEditPage:
    def test_history_row_appears_after_an_edit(self, client, bureau, officer):
        # given
        org = make_org(bureau, name="旧名称科技有限公司")
        client.force_login(officer)

        # when
        response = client.post(f"/manage/organizations/{org.pk}/edit/", edit_form_data(org, name="新名称科技有限公司"))
        page = client.get(f"/manage/organizations/{org.pk}/")

        # then
        assert response.status_code == 302
        history = page.context["history"]
        assert history[0]["action"] == "修改"
        assert {"label": "单位名称", "before": "旧名称科技有限公司", "after": "新名称科技有限公司"} in history[0]["changes"]
        assert "新名称科技有限公司" in page.content.decode()

    def test_officer_sees_masked_contacts_and_saving_keeps_the_stored_values(self, client, bureau, officer):
        # given
        org = make_org(bureau, contacts=[{"name": "李联系", "phone": "13812345678", "email": "lianxi@example.com"}])
        client.force_login(officer)

        # when
        form_page = client.get(f"/manage/organizations/{org.pk}/edit/").content.decode()
        detail = client.get(f"/manage/organizations/{org.pk}/").content.decode()
        masked = edit_form_data(org, **{"contacts-0-phone": "138****5678", "contacts-0-email": "li***@example.com",
                                        "address": "金水路 1 号"})
        response = client.post(f"/manage/organizations/{org.pk}/edit/", masked)

        # then
        assert "13812345678" not in form_page and "138****5678" in form_page
        assert "13812345678" not in detail and "138****5678" in detail
        assert response.status_code == 302
        contact = org.contacts.get()
        assert (contact.phone, contact.email) == ("13812345678", "lianxi@example.com")
        org.refresh_from_db()
        assert org.address == "金水路 1 号"

    def test_removing_a_contact_row(self, client, bureau, officer):
        # given
        org = make_org(bureau, contacts=[{"name": "李联系"}, {"name": "王联系"}])
        client.force_login(officer)

        # when
        response = client.post(f"/manage/organizations/{org.pk}/edit/",
                               edit_form_data(org, **{"contacts-0-DELETE": "on"}))

        # then
        assert response.status_code == 302
        assert [c.name for c in org.contacts.all()] == ["王联系"]

    def test_member_edits_non_identity_fields_but_not_the_identity(self, client, bureau):
        # given
        org = make_org(bureau)
        member = new_user("ent-1", role=Role.ENTERPRISE, organization=org)
        client.force_login(member)
        original_code = org.credit_code

        # when
        page = client.get(f"/manage/organizations/{org.pk}/edit/")
        response = client.post(f"/manage/organizations/{org.pk}/edit/", edit_form_data(
            org, address="科学大道 100 号", credit_code=credit_code(), region="410103", kind="university"))

        # then
        assert page.status_code == 200 and page.context["form"].fields["credit_code"].disabled
        assert "notes" not in page.context["form"].fields
        assert response.status_code == 302
        org.refresh_from_db()
        assert org.address == "科学大道 100 号"
        assert (org.credit_code, org.region.code, org.kind) == (original_code, "410105", "enterprise")


class TestOrganizationManagedActions:
    def test_staff_adds_and_removes_a_qualification_and_both_show_in_the_history(self, client, bureau, officer):
        # given
        org = make_org(bureau)
        client.force_login(officer)

        # when
        added = client.post(f"/manage/organizations/{org.pk}/qualifications/", {
            "kind": "hitech", "level": "national", "certificate_no": "GR202441000001",
            "recognised_on": "2024-12-01", "valid_until": "2027-11-30"})
        q = org.qualifications.get()
        removed = client.post(f"/manage/organizations/{org.pk}/qualifications/{q.pk}/delete/")
        page = client.get(f"/manage/organizations/{org.pk}/")

        # then
        assert added.status_code == 302 and removed.status_code == 302
        assert not org.qualifications.exists()
        actions = [row["action"] for row in page.context["history"]]
        assert actions[:2] == ["删除资质", "新建资质"]

    def test_bad_qualification_dates_are_shown_on_the_form(self, client, bureau, officer):
        # given
        org = make_org(bureau)
        client.force_login(officer)

        # when
        response = client.post(f"/manage/organizations/{org.pk}/qualifications/", {
            "kind": "hitech", "recognised_on": "2024-12-01", "valid_until": "2020-01-01"})

        # then
        assert response.status_code == 200
        form = response.context["qualification_form"]
        assert "有效期至不能早于认定日期" in str(form.errors)
        assert not org.qualifications.exists()

    def test_member_may_not_add_qualifications_403_in_chinese(self, client, bureau):
        # given
        org = make_org(bureau)
        client.force_login(new_user("ent-1", role=Role.ENTERPRISE, organization=org))

        # when
        response = client.post(f"/manage/organizations/{org.pk}/qualifications/",
                                {"kind": "hitech", "recognised_on": "2024-01-01"})

        # then
        assert response.status_code == 403
        assert "资质由管理部门登记" in response.content.decode()
        assert not org.qualifications.exists()

    def test_confirm_sets_the_time(self, client, bureau, officer):
        # given
        org = make_org(bureau)
        client.force_login(officer)

        # when
        with freeze_time("2025-03-01 09:00:00+08:00"):
            response = client.post(f"/manage/organizations/{org.pk}/confirm/")

        # then
        org.refresh_from_db()
        assert response.status_code == 302
        assert org.last_confirmed_at == datetime.datetime(2025, 3, 1, 1, 0, tzinfo=datetime.UTC)

    def test_only_the_bureau_deletes(self, client, bureau, officer):
        # given
        org = make_org(bureau)

        # when
        client.force_login(officer)
        by_officer = client.post(f"/manage/organizations/{org.pk}/delete/")
        client.force_login(bureau)
        by_bureau = client.post(f"/manage/organizations/{org.pk}/delete/")

        # then
        assert by_officer.status_code == 403
        assert by_bureau.status_code == 302
        assert not Organization.objects.filter(pk=org.pk).exists()


class TestManagedPerson:
    def test_phone_masked_for_the_district_officer_clear_for_the_city_bureau(self, client, bureau, officer):
        # given
        person = make_person(bureau, region="410105")

        # when
        client.force_login(officer)
        as_officer = client.get(f"/manage/people/{person.pk}/").content.decode()
        client.force_login(bureau)
        as_bureau = client.get(f"/manage/people/{person.pk}/").content.decode()

        # then
        assert "138****5678" in as_officer and "13812345678" not in as_officer
        assert "13812345678" in as_bureau

    def test_officer_outside_the_district_gets_404(self, client, bureau, officer):
        # given
        person = make_person(bureau, region="410103")
        client.force_login(officer)

        # when / then
        assert client.get(f"/manage/people/{person.pk}/").status_code == 404
        assert client.post(f"/manage/people/{person.pk}/edit/", {"name": "x"}).status_code == 404

    def test_expert_edits_their_own_record(self, client, bureau):
        # given
        expert = new_user("expert-1", role=Role.EXPERT)
        person = services.person_create(by=bureau, user=expert, data={
            "name": "张专家", "kind": "expert", "region": "410105", "phone": "13812345678"})
        client.force_login(expert)

        # when
        page = client.get(f"/manage/people/{person.pk}/edit/")
        response = client.post(f"/manage/people/{person.pk}/edit/", {
            "name": "张专家", "kind": "expert", "region": "410105", "expertise": "智能制造",
            "phone": "13812345678", "disciplines": "520", "tech_fields": ["101"]})

        # then
        assert page.status_code == 200 and "13812345678" in page.content.decode()
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.expertise == "智能制造"
        assert [t.code for t in person.disciplines.all()] == ["520"]

    def test_officer_saving_masked_personal_data_keeps_the_stored_values(self, client, bureau, officer):
        # given
        person = make_person(bureau, id_number="11010519491231002X")
        client.force_login(officer)

        # when
        response = client.post(f"/manage/people/{person.pk}/edit/", {
            "name": "张专家", "kind": "expert", "region": "410105", "title": "教授级高工",
            "id_number": "1101**********002X", "phone": "138****5678", "email": "zh***@example.com"})

        # then
        assert response.status_code == 302
        person.refresh_from_db()
        assert (person.title, person.id_number, person.phone, person.email) == (
            "教授级高工", "11010519491231002X", "13812345678", "zhang.expert@example.com")

    def test_invalid_id_number_is_shown_on_the_field(self, client, officer):
        # given
        client.force_login(officer)

        # when
        response = client.post("/manage/people/new/", {"name": "新专家", "kind": "expert", "region": "410105",
                                                       "id_number": "110105194912310021"})

        # then
        assert response.status_code == 200
        assert response.context["form"].errors["id_number"] == ["身份证号校验位错误"]
        assert not Person.objects.exists()


class TestManagedPlatform:
    def test_create_edit_and_history(self, client, bureau, officer):
        # given
        org = make_org(bureau)
        client.force_login(officer)

        # when
        created = client.post("/manage/platforms/new/", {
            "name": "金水孵化器", "kind": "incubator", "level": "municipal", "organization": org.credit_code,
            "recognised_on": "2024-01-01"})
        platform = org.platforms.get()
        edited = client.post(f"/manage/platforms/{platform.pk}/edit/", {
            "name": "金水孵化器", "kind": "incubator", "level": "provincial", "organization": org.credit_code,
            "region": "410105", "recognised_on": "2024-01-01"})
        page = client.get(f"/manage/platforms/{platform.pk}/")

        # then
        assert created.status_code == 302 and edited.status_code == 302
        assert platform.region.code == "410105"
        assert {"label": "级别", "before": "市级", "after": "省级"} in page.context["history"][0]["changes"]

    def test_member_sees_but_may_not_edit_a_platform(self, client, bureau):
        # given
        org = make_org(bureau)
        platform = services.platform_create(by=bureau, data={
            "name": "金水孵化器", "kind": "incubator", "level": "municipal", "organization": org.credit_code,
            "recognised_on": "2024-01-01"})
        client.force_login(new_user("ent-1", role=Role.ENTERPRISE, organization=org))

        # when
        detail = client.get(f"/manage/platforms/{platform.pk}/")
        edit = client.get(f"/manage/platforms/{platform.pk}/edit/")

        # then
        assert detail.status_code == 200
        assert edit.status_code == 403 and "管理部门" in edit.content.decode()


class TestListQueries:
    def test_public_and_managed_lists_do_not_query_per_row(self, client, bureau, django_assert_max_num_queries):
        # given
        for i in range(20):
            org = make_org(bureau, name=f"企业{i:02d}", tech_fields=["101", "80"])
            services.qualification_add(organization=org, by=bureau, kind="hitech", recognised_on="2024-01-01")
        client.force_login(bureau)

        # when / then
        with django_assert_max_num_queries(20):
            assert client.get("/organizations/").status_code == 200
        with django_assert_max_num_queries(25):
            assert client.get("/manage/organizations/").status_code == 200
