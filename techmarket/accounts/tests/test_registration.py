"""Self-registration: submit, the authorisation letter rule, review scope, approve and reject."""
from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.accounts import services
from techmarket.accounts.models import RegistrationRequest, RegistrationStatus, User
from techmarket.core.errors import ApplicationError
from techmarket.core.models import StatusChange
from techmarket.directory.models import Organization

from .factories import (
    credit_code_for,
    letter_upload,
    make_bureau_admin,
    make_district_officer,
    make_organization,
    make_user,
    registration_data,
)

pytestmark = pytest.mark.django_db


def _fields(exc: ApplicationError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


def _notifications_for(user):
    from techmarket.notifications.models import Notification

    return Notification.objects.filter(recipient=user)


class TestRegistrationSubmit:
    def test_new_organization_needs_no_letter(self, django_capture_on_commit_callbacks):
        # given
        data = registration_data(password="Qm7#Kv2!Lw9-梅花")
        # when
        with django_capture_on_commit_callbacks(execute=True):
            registration = services.registration_submit(**data)
        # then
        assert registration.status == RegistrationStatus.SUBMITTED
        assert registration.existing_organization is None
        assert registration.region.code == "410105"
        assert registration.password_hash != "Qm7#Kv2!Lw9-梅花"
        assert check_password("Qm7#Kv2!Lw9-梅花", registration.password_hash)

    def test_password_is_never_stored_in_clear(self):
        registration = services.registration_submit(**registration_data(password="Qm7#Kv2!Lw9-梅花"))
        assert "Qm7#Kv2!Lw9-梅花" not in str(RegistrationRequest.objects.filter(pk=registration.pk).values()[0])

    def test_region_may_be_given_by_name(self):
        registration = services.registration_submit(**registration_data(region="金水区"))
        assert registration.region.code == "410105"

    def test_every_bad_field_is_reported_in_chinese(self):
        # given
        data = registration_data(credit_code="91410105MA12345678", region="火星区", password="123",
                                 organization_kind="spaceship", email="not-an-email")
        # when
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**data)
        # then
        fields = _fields(exc.value)
        assert fields["credit_code"].startswith("统一社会信用代码无效：")
        assert "火星区" in fields["region"]
        assert fields["organization_kind"] == "请选择单位类型"
        assert fields["email"] == "电子邮箱格式不正确"
        assert "password" in fields
        assert not RegistrationRequest.objects.exists()

    def test_weak_password_is_refused_by_the_password_validators(self):
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(password="1234567890123"))
        assert {e.field for e in exc.value.errors} == {"password"}

    def test_taken_username_is_refused(self):
        make_user("taken-name")
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(username="Taken-Name"))
        assert _fields(exc.value)["username"] == "该用户名已被使用"

    def test_username_of_a_pending_request_is_refused(self):
        services.registration_submit(**registration_data(username="pending-one"))
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(username="pending-one"))
        assert _fields(exc.value)["username"] == "该用户名已有待审核的注册申请"

    def test_existing_credit_code_without_letter_is_refused(self):
        # given
        org = make_organization(name="郑州已登记科技有限公司")
        # when
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(credit_code=org.credit_code))
        # then
        message = _fields(exc.value)["authorization_letter"]
        assert "已在平台登记" in message and "授权书" in message
        assert not RegistrationRequest.objects.exists()

    def test_existing_credit_code_with_letter_notifies_the_organizations_users(
            self, django_capture_on_commit_callbacks):
        # given
        org = make_organization(name="郑州已登记科技有限公司", region_code="410105")
        colleague = make_user("colleague", roles=["enterprise"], organization=org)
        gone = make_user("gone", roles=["enterprise"], organization=org, is_active=False)
        stranger = make_user("stranger", roles=["enterprise"], organization=make_organization())
        # when
        with django_capture_on_commit_callbacks(execute=True):
            registration = services.registration_submit(**registration_data(
                credit_code=org.credit_code.lower(), region="410102", authorization_letter=letter_upload()))
        # then
        assert registration.existing_organization == org
        assert registration.region == org.region  # the registered organization's region decides
        assert registration.authorization_letter.name.endswith(".pdf")
        notes = list(_notifications_for(colleague))
        assert len(notes) == 1
        assert notes[0].topic == "account"
        assert registration.username in notes[0].body
        assert not _notifications_for(gone).exists()
        assert not _notifications_for(stranger).exists()

    def test_nobody_is_notified_before_commit(self, django_capture_on_commit_callbacks):
        org = make_organization()
        colleague = make_user(roles=["enterprise"], organization=org)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.registration_submit(**registration_data(credit_code=org.credit_code,
                                                             authorization_letter=letter_upload()))
        assert not _notifications_for(colleague).exists()
        assert callbacks

    def test_in_scope_reviewers_are_notified(self, django_capture_on_commit_callbacks):
        officer = make_district_officer(region_code="410105")
        other_officer = make_district_officer(region_code="410102")
        admin = make_bureau_admin(region_code="410100")
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_submit(**registration_data(region="410105"))
        assert _notifications_for(officer).count() == 1
        assert _notifications_for(admin).count() == 1
        assert not _notifications_for(other_officer).exists()

    @pytest.mark.parametrize("name, content, problem", [
        ("授权书.docx", b"PK\x03\x04...", "只接受 PDF、JPG 或 PNG"),
        ("授权书.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名"),
        ("授权书.png", b"", "为空"),
    ])
    def test_bad_letter_is_refused(self, name, content, problem):
        org = make_organization()
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(
                credit_code=org.credit_code, authorization_letter=SimpleUploadedFile(name, content)))
        assert problem in _fields(exc.value)["authorization_letter"]

    def test_oversized_letter_is_refused(self, settings):
        settings.TECHMARKET_UPLOAD_MAX_MB = 1
        org = make_organization()
        big = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(credit_code=org.credit_code, authorization_letter=big))
        assert "超过上限 1 MB" in _fields(exc.value)["authorization_letter"]

    def test_second_pending_request_for_the_same_new_credit_code_is_refused(self):
        code = credit_code_for(999001)
        services.registration_submit(**registration_data(credit_code=code))
        with pytest.raises(ApplicationError) as exc:
            services.registration_submit(**registration_data(credit_code=code))
        assert "待审核" in _fields(exc.value)["credit_code"]


class TestRegistrationApprove:
    def test_approve_creates_organization_and_user_with_the_role(self, django_capture_on_commit_callbacks):
        # given
        officer = make_district_officer(region_code="410105")
        registration = services.registration_submit(**registration_data(
            username="newco-admin", name="李四", email="lisi@example.cn", organization_name="郑州新创科技有限公司",
            credit_code=credit_code_for(777001), region="410105", password="Qm7#Kv2!Lw9-梅花"))
        # when
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_approve(request=registration, by=officer, comment="材料齐全")
        # then
        registration.refresh_from_db()
        org = Organization.objects.get(credit_code=credit_code_for(777001))
        user = User.objects.get(username="newco-admin")
        assert registration.status == RegistrationStatus.APPROVED
        assert registration.user == user
        assert org.name == "郑州新创科技有限公司" and org.region.code == "410105" and org.kind == "enterprise"
        assert user.organization == org and user.region == org.region
        assert user.role_names == {"enterprise"} and not user.is_staff
        assert user.check_password("Qm7#Kv2!Lw9-梅花")
        assert org.contacts.get().name == "李四"
        change = StatusChange.objects.get(object_id=str(registration.pk), action="approve")
        assert change.actor == officer and change.comment == "材料齐全"
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["lisi@example.cn"]
        assert "已通过" in mail.outbox[0].subject
        assert "newco-admin" in mail.outbox[0].body

    def test_approved_applicant_can_log_in(self, client):
        admin = make_bureau_admin()
        registration = services.registration_submit(**registration_data(username="loginable",
                                                                        password="Qm7#Kv2!Lw9-梅花"))
        services.registration_approve(request=registration, by=admin)
        response = client.post("/accounts/login/", {"username": "loginable", "password": "Qm7#Kv2!Lw9-梅花"})
        assert response.status_code == 302

    def test_institution_with_existing_organization_joins_it(self):
        org = make_organization(name="郑州某大学", kind="university")
        admin = make_bureau_admin()
        registration = services.registration_submit(**registration_data(
            kind="institution", credit_code=org.credit_code, organization_kind="university",
            authorization_letter=letter_upload()))
        services.registration_approve(request=registration, by=admin)
        user = User.objects.get(username=registration.username)
        assert user.organization == org
        assert user.role_names == {"institution"}
        assert Organization.objects.filter(credit_code=org.credit_code).count() == 1

    def test_out_of_scope_officer_cannot_approve(self):
        registration = services.registration_submit(**registration_data(region="410105"))
        with pytest.raises(PermissionDenied):
            services.registration_approve(request=registration, by=make_district_officer(region_code="410102"))
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.SUBMITTED

    def test_plain_users_cannot_approve(self):
        registration = services.registration_submit(**registration_data())
        with pytest.raises(PermissionDenied):
            services.registration_approve(request=registration, by=make_user(roles=["enterprise"]))

    def test_approving_twice_is_refused(self):
        admin = make_bureau_admin()
        registration = services.registration_submit(**registration_data())
        services.registration_approve(request=registration, by=admin)
        with pytest.raises(ApplicationError):
            services.registration_approve(request=registration, by=admin)

    def test_username_taken_meanwhile_rolls_everything_back(self):
        admin = make_bureau_admin()
        registration = services.registration_submit(**registration_data(username="race-name"))
        make_user("race-name")
        with pytest.raises(ApplicationError) as exc:
            services.registration_approve(request=registration, by=admin)
        assert exc.value.errors[0].field == "username"
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.SUBMITTED
        assert not Organization.objects.filter(credit_code=registration.credit_code).exists()
        assert not StatusChange.objects.filter(object_id=str(registration.pk)).exists()

    def test_organization_registered_meanwhile_is_refused(self):
        admin = make_bureau_admin()
        registration = services.registration_submit(**registration_data())
        make_organization(credit_code=registration.credit_code)
        with pytest.raises(ApplicationError) as exc:
            services.registration_approve(request=registration, by=admin)
        assert exc.value.errors[0].field == "credit_code"


class TestRegistrationReject:
    def test_reject_requires_a_reason_code(self):
        registration = services.registration_submit(**registration_data())
        with pytest.raises(ApplicationError) as exc:
            services.registration_reject(request=registration, by=make_bureau_admin(), reason_code="", comment="")
        assert exc.value.errors[0].field == "reason_code"
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.SUBMITTED

    def test_reject_with_an_unknown_reason_is_refused(self):
        registration = services.registration_submit(**registration_data())
        with pytest.raises(ApplicationError):
            services.registration_reject(request=registration, by=make_bureau_admin(), reason_code="too_early")

    def test_reject_mails_the_reason_label_and_comment(self, django_capture_on_commit_callbacks):
        # given
        registration = services.registration_submit(**registration_data(email="wang@example.cn"))
        # when
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_reject(request=registration, by=make_district_officer(),
                                         reason_code="invalid_authorization", comment="授权书未盖章")
        # then
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.REJECTED
        assert registration.user is None
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["wang@example.cn"]
        assert "授权书无效" in mail.outbox[0].body
        assert "授权书未盖章" in mail.outbox[0].body
        change = StatusChange.objects.get(object_id=str(registration.pk), action="reject")
        assert change.reason_code == "invalid_authorization"

    def test_rejected_username_may_apply_again(self):
        registration = services.registration_submit(**registration_data(username="again"))
        services.registration_reject(request=registration, by=make_bureau_admin(), reason_code="other",
                                     comment="请补充")
        assert services.registration_submit(**registration_data(username="again")).pk != registration.pk
