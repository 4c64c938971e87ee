"""Who may see and do what with challenges and applications (permissions.py), outside the workflow matrix."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from techmarket.challenges import permissions as p
from techmarket.challenges import services
from techmarket.core.actors import SYSTEM
from techmarket.core.tests import factories
from techmarket.directory.models import Qualification
from techmarket.integrity.tests.factories import org_record

from . import factories as f


@pytest.fixture
def published(make_challenge):
    return make_challenge("published")


class TestApplyRefusal:
    def test_eligible_unit_may_apply(self, published, institution):
        assert p.apply_refusal(institution, published) is None

    def test_anonymous_and_system_are_refused(self, published, anonymous):
        assert "单位账号" in p.apply_refusal(anonymous, published)
        assert "单位账号" in p.apply_refusal(SYSTEM, published)

    def test_setter_cannot_apply_to_its_own_challenge(self, published, setter, setter_org):
        reason = p.apply_refusal(setter, published)
        assert setter_org.name in reason and "发榜企业" in reason

    def test_unit_kind_outside_the_eligible_kinds_is_refused(self, make_challenge, institution, institution_org):
        # given: only universities may apply
        challenge = make_challenge("published", eligible_kinds=["university"])
        # when
        reason = p.apply_refusal(institution, challenge)
        # then
        assert institution_org.name in reason and "科研院所" in reason and "高等院校" in reason

    def test_kind_that_never_applies_is_refused(self, published, regions):
        agency = factories.organization("郑州技术转移中心", region_obj=regions["jinshui"], kind="agency")
        user = factories.user("agency-1", organization_obj=agency)
        assert "技术转移机构" in p.apply_refusal(user, published)

    def test_unit_outside_the_eligible_region_is_refused(self, make_challenge, institution, university, regions):
        challenge = make_challenge("published", eligible_region=regions["zhongyuan"])
        assert "中原区" in p.apply_refusal(institution, challenge)  # the institute is in 金水区
        assert p.apply_refusal(university, challenge) is None

    def test_missing_qualification_is_refused_until_held(self, make_challenge, institution, institution_org):
        challenge = make_challenge("published", eligible_qualifications=["rd_institution"])
        assert "新型研发机构" in p.apply_refusal(institution, challenge)
        # an expired qualification does not count
        today = timezone.localdate()
        Qualification.objects.create(organization=institution_org, kind="rd_institution",
                                     recognised_on=today - datetime.timedelta(days=800),
                                     valid_until=today - datetime.timedelta(days=1))
        assert p.apply_refusal(institution, challenge) is not None
        Qualification.objects.create(organization=institution_org, kind="rd_institution",
                                     recognised_on=today - datetime.timedelta(days=10))
        assert p.apply_refusal(institution, challenge) is None

    def test_active_integrity_record_is_refused_with_its_reason(self, published, institution, institution_org,
                                                                bureau):
        org_record(by=bureau, organization=institution_org, effective_from=timezone.localdate(), effective_to=None)
        reason = p.apply_refusal(institution, published)
        assert institution_org.name in reason
        assert "科研诚信记录" in reason and "郑科〔2025〕12号" in reason

    def test_closed_challenge_is_refused(self, published, institution):
        with f.after_deadline(published):
            assert "截止" in p.apply_refusal(institution, published)

    def test_unpublished_challenge_is_refused(self, make_challenge, institution):
        assert "不在揭榜期" in p.apply_refusal(institution, make_challenge("pre_approved"))

    def test_unit_already_in_an_application_is_refused(self, published, institution, university, university_org,
                                                       university_researcher):
        # given: the university is a consortium member of the institute's application
        app = f.application(challenge=published, by=institution,
                            members=[{"organization": university_org, "responsibility": "样机测试"}])
        # then: it may not apply itself, but the application's own units do not count against it
        assert "已参与" in p.apply_refusal(university, published)
        assert p.apply_refusal(institution, published, university_org, application=app) is None


class TestConfidentialTier:
    def test_who_sees_the_confidential_detail(self, published, setter, officer_in, officer_out, bureau,
                                              bureau_other, institution, university, anonymous):
        assert p.can_see_confidential(setter, published)
        assert p.can_see_confidential(officer_in, published)
        assert p.can_see_confidential(bureau, published)
        for outsider in (officer_out, bureau_other, institution, university, anonymous):
            assert not p.can_see_confidential(outsider, published)
        services.agreement_accept(challenge=published, by=institution)
        assert p.can_see_confidential(institution, published)
        assert not p.can_see_confidential(university, published)

    def test_panel_member_sees_it(self, published, bureau, expert, expert_user):
        from techmarket.challenges.review import panel_appoint

        assert not p.can_see_confidential(expert_user, published)
        panel_appoint(challenge=published, by=bureau, person=expert)
        assert p.can_see_confidential(expert_user, published)


class TestViewChallenge:
    def test_draft_is_seen_by_setter_and_staff_in_scope_only(self, make_challenge, setter, setter_colleague,
                                                             officer_in, officer_out, bureau, bureau_other,
                                                             institution, anonymous):
        draft = make_challenge("draft")
        for user in (setter, setter_colleague, officer_in, bureau):
            assert p.can_view_challenge(user, draft) and p.can_manage_challenge(user, draft)
        for user in (officer_out, bureau_other, institution, anonymous):
            assert not p.can_view_challenge(user, draft)

    def test_published_is_public_but_managed_by_few(self, published, anonymous, institution, officer_out):
        assert p.can_view_challenge(anonymous, published)
        assert not p.can_manage_challenge(institution, published)
        assert not p.can_manage_challenge(officer_out, published)

    def test_applicant_still_sees_a_withdrawn_challenge(self, published, institution, setter, anonymous):
        f.application(challenge=published, by=institution)
        withdrawn = services.challenge_act(challenge=published, action="withdraw", by=setter, comment="已解决")
        assert p.can_view_challenge(institution, withdrawn)
        assert not p.can_view_challenge(anonymous, withdrawn)

    def test_only_the_demands_enterprise_raises_a_challenge_from_a_published_demand(
            self, published_demand, setter, enterprise, bureau):
        assert p.can_create_challenge(setter, published_demand)
        assert not p.can_create_challenge(enterprise, published_demand)
        assert not p.can_create_challenge(bureau, published_demand)


class TestViewApplication:
    def test_who_sees_an_application(self, published, institution, university, university_org, setter, officer_in,
                                     officer_out, bureau, enterprise, anonymous, expert, expert_user):
        from techmarket.challenges.review import panel_appoint

        # given: a consortium application, submitted, and a panel of one
        app = f.submitted_application(challenge=published, by=institution,
                                      members=[{"organization": university_org, "responsibility": "测试"}])
        panel_appoint(challenge=published, by=bureau, person=expert)
        # then: the units, staff in scope and the panel; the setter not while applications are open
        for user in (institution, university, officer_in, bureau, expert_user):
            assert p.can_view_application(user, app)
        for user in (setter, officer_out, enterprise, anonymous):
            assert not p.can_view_application(user, app)
        assert p.is_applicant(institution, app) and not p.is_applicant(university, app)
        # when applications close, the setter sees it
        app.challenge = f.close_applications(published, by=bureau)
        assert p.can_view_application(setter, app)

    def test_setter_never_sees_a_draft(self, published, institution, setter, bureau):
        app = f.application(challenge=published, by=institution)
        f.submitted_application(challenge=published, by=factories.user(
            "univ-9", organization_obj=factories.organization("许昌学院", region_obj=published.region,
                                                             kind="university")))
        app.challenge = f.close_applications(published, by=bureau)
        assert not p.can_view_application(setter, app)
        assert p.can_view_application(institution, app)
