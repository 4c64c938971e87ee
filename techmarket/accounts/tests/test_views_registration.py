"""The registration page and the reviewers' pages (/manage/registrations/)."""
from __future__ import annotations

import pytest
from django.core import mail

from techmarket.accounts import services
from techmarket.accounts.models import RegistrationRequest, RegistrationStatus, User

from .factories import (
    PDF_BYTES,
    credit_code_for,
    letter_upload,
    make_bureau_admin,
    make_district_officer,
    make_organization,
    make_user,
    registration_data,
)

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    data = registration_data(**overrides)
    data["password2"] = data["password"]
    return data


class TestRegisterPage:
    def test_page_renders_in_chinese(self, client):
        page = client.get("/accounts/register/").content.decode()
        assert "统一社会信用代码" in page and "授权书" in page and 'enctype="multipart/form-data"' in page

    def test_submit_creates_a_pending_request(self, client):
        response = client.post("/accounts/register/", _form(username="web-applicant"))
        assert response.status_code == 302
        assert response.url == "/accounts/register/submitted/"
        assert RegistrationRequest.objects.get(username="web-applicant").status == RegistrationStatus.SUBMITTED

    def test_existing_credit_code_without_letter_shows_a_chinese_field_error(self, client):
        # given
        org = make_organization(name="郑州老牌科技有限公司")
        # when
        response = client.post("/accounts/register/", _form(credit_code=org.credit_code))
        # then
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "授权书" in errors["authorization_letter"][0]
        assert "郑州老牌科技有限公司" in errors["authorization_letter"][0]
        assert not RegistrationRequest.objects.exists()

    def test_existing_credit_code_with_letter_is_accepted(self, client):
        org = make_organization()
        response = client.post("/accounts/register/", _form(credit_code=org.credit_code,
                                                            authorization_letter=letter_upload()))
        assert response.status_code == 302
        assert RegistrationRequest.objects.get().existing_organization == org

    def test_invalid_credit_code_error_is_on_the_field(self, client):
        bad = credit_code_for(5)[:-1] + ("0" if credit_code_for(5)[-1] != "0" else "1")
        response = client.post("/accounts/register/", _form(credit_code=bad))
        assert "校验位错误" in response.context["form"].errors["credit_code"][0]

    def test_password_confirmation_must_match(self, client):
        data = _form()
        data["password2"] = "something-else-77"
        response = client.post("/accounts/register/", data)
        assert response.context["form"].errors["password2"] == ["两次输入的密码不一致"]

    def test_signed_in_users_are_sent_to_their_profile(self, client):
        client.force_login(make_user())
        assert client.get("/accounts/register/").url == "/accounts/profile/"


class TestRegistrationInbox:
    def test_officer_sees_requests_of_the_district_only(self, client):
        # given
        mine = services.registration_submit(**registration_data(region="410105", organization_name="金水区某公司"))
        theirs = services.registration_submit(**registration_data(region="410102", organization_name="中原区某公司"))
        client.force_login(make_district_officer(region_code="410105"))
        # when
        page = client.get("/manage/registrations/")
        # then
        assert page.status_code == 200
        assert list(page.context["page_obj"]) == [mine]
        assert theirs.organization_name not in page.content.decode()

    def test_bureau_admin_sees_the_whole_city(self, client):
        services.registration_submit(**registration_data(region="410105"))
        services.registration_submit(**registration_data(region="410102"))
        services.registration_submit(**registration_data(region="410602"))  # 鹤壁
        client.force_login(make_bureau_admin(region_code="410100"))
        assert len(client.get("/manage/registrations/").context["page_obj"]) == 2

    @pytest.mark.parametrize("roles", [[], ["enterprise"], ["registrar"]])
    def test_others_get_404(self, client, roles):
        client.force_login(make_user(roles=roles))
        assert client.get("/manage/registrations/").status_code == 404

    def test_anonymous_gets_404(self, client):
        assert client.get("/manage/registrations/").status_code == 404


class TestRegistrationDetail:
    def test_out_of_scope_officer_gets_404(self, client):
        # given
        registration = services.registration_submit(**registration_data(region="410105"))
        client.force_login(make_district_officer(region_code="410102"))
        # when / then
        assert client.get(f"/manage/registrations/{registration.pk}/").status_code == 404
        assert client.post(f"/manage/registrations/{registration.pk}/actions/approve/").status_code == 404
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.SUBMITTED

    def test_in_scope_officer_sees_buttons_and_reason_codes(self, client):
        registration = services.registration_submit(**registration_data(region="410105", phone="13912345678"))
        client.force_login(make_district_officer(region_code="410105"))
        response = client.get(f"/manage/registrations/{registration.pk}/")
        page = response.content.decode()
        assert [name for name, _spec in response.context["actions"]] == ["approve", "reject"]
        assert "授权书无效" in page  # a reason of account_registration_reject
        assert "139****5678" in page and "13912345678" not in page  # district officers see masked phones

    def test_bureau_admin_sees_clear_personal_data(self, client):
        registration = services.registration_submit(**registration_data(region="410105", phone="13912345678"))
        client.force_login(make_bureau_admin())
        assert "13912345678" in client.get(f"/manage/registrations/{registration.pk}/").content.decode()

    def test_approve_through_the_page(self, client):
        registration = services.registration_submit(**registration_data(username="via-page"))
        client.force_login(make_district_officer(region_code="410105"))
        response = client.post(f"/manage/registrations/{registration.pk}/actions/approve/", {"comment": "同意"})
        assert response.status_code == 302
        assert User.objects.get(username="via-page").role_names == {"enterprise"}

    def test_reject_without_reason_shows_an_error_and_changes_nothing(self, client):
        registration = services.registration_submit(**registration_data())
        client.force_login(make_district_officer(region_code="410105"))
        response = client.post(f"/manage/registrations/{registration.pk}/actions/reject/", {"comment": "不行"},
                               follow=True)
        assert "请选择原因" in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.SUBMITTED
        assert mail.outbox == []

    def test_reject_with_reason(self, client):
        registration = services.registration_submit(**registration_data())
        client.force_login(make_district_officer(region_code="410105"))
        client.post(f"/manage/registrations/{registration.pk}/actions/reject/",
                    {"comment": "请用单位全称", "reason_code": "org_mismatch"})
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.REJECTED
        page = client.get(f"/manage/registrations/{registration.pk}/").content.decode()
        assert "单位信息不符" in page and "请用单位全称" in page

    def test_unknown_action_is_404(self, client):
        registration = services.registration_submit(**registration_data())
        client.force_login(make_bureau_admin())
        assert client.post(f"/manage/registrations/{registration.pk}/actions/explode/").status_code == 404


class TestAuthorizationLetterDownload:
    def _registration(self):
        org = make_organization(region_code="410105")
        return services.registration_submit(**registration_data(credit_code=org.credit_code,
                                                                authorization_letter=letter_upload()))

    def test_in_scope_reviewer_downloads_the_letter(self, client):
        registration = self._registration()
        client.force_login(make_district_officer(region_code="410105"))
        response = client.get(f"/manage/registrations/{registration.pk}/letter/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "attachment" in response["Content-Disposition"]

    @pytest.mark.parametrize("who", ["other_officer", "enterprise", "anonymous"])
    def test_everyone_else_gets_404(self, client, who):
        registration = self._registration()
        if who == "other_officer":
            client.force_login(make_district_officer(region_code="410102"))
        elif who == "enterprise":
            client.force_login(make_user(roles=["enterprise"], organization=registration.existing_organization))
        assert client.get(f"/manage/registrations/{registration.pk}/letter/").status_code == 404

    def test_uploads_are_not_served_under_media_url(self, client, settings):
        registration = self._registration()
        assert client.get(settings.MEDIA_URL + registration.authorization_letter.name).status_code == 404
