"""Matching (X2): ranking with structure, explanations, exclusion by the owner's marks, pages and API.

This module also holds the URL configuration the matching tests run under (``URLCONF``): the project's,
with the matching pages and API added when they are not mounted yet.
"""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, include, path, resolve

from techmarket.accounts.roles import Role
from techmarket.achievements.tests.factories import achievement_in_state, term
from techmarket.core.tests import factories
from techmarket.demands.tests.factories import demand_in_state
from techmarket.directory.models import Person
from techmarket.matching.marks import match_mark
from techmarket.matching.matching import achievement_matches, demand_matches

URLCONF = "techmarket.matching.tests.test_matching"


def _urlpatterns():
    import techmarket.urls as project
    from techmarket.matching import urls as matching_urls
    from techmarket.matching import urls_matching

    names = {getattr(p, "name", None) for p in matching_urls.urlpatterns}
    mine = [p for p in urls_matching.urlpatterns if p.name not in names]
    patterns = []
    try:
        resolve("/api/v1/matches/marks", urlconf="techmarket.urls")
    except Resolver404:  # the lead has not mounted the router yet: a test API with the same conventions
        from ninja import NinjaAPI

        from techmarket.core.api import ApiAuth, install_error_handlers
        from techmarket.matching.api_matching import router

        api = NinjaAPI(auth=ApiAuth(), urls_namespace="matching_test_api", docs_url=None, openapi_url=None)
        install_error_handlers(api)
        api.add_router("/v1/", router)
        patterns.append(path("api/", api.urls))
    for p in project.urlpatterns:
        if getattr(p, "urlconf_name", None) is matching_urls:
            patterns.append(path("", include((list(matching_urls.urlpatterns) + mine, "matching"))))
        else:
            patterns.append(p)
    return patterns


urlpatterns = _urlpatterns()


# --- the scenario ------------------------------------------------------------------------------------------

@pytest.fixture
def jinshui_enterprise(regions):
    org = factories.organization("金水电池科技有限公司", region_obj=regions["jinshui"])
    return factories.user("ent-jinshui", organization_obj=org, roles=[Role.ENTERPRISE])


@pytest.fixture
def hebi_institute(regions):
    org = factories.organization("鹤壁材料研究所", region_obj=regions["hebi"], kind="institute")
    return factories.user("inst-hebi", organization_obj=org, roles=[Role.INSTITUTION])


BATTERY = dict(title="锂离子电池正极材料改性技术", abstract="一种锂离子电池正极材料的包覆改性方法，提高循环寿命。",
               keywords=["锂离子电池", "正极材料"])


@pytest.fixture
def battery_demand(jinshui_enterprise, bureau):
    return demand_in_state("published", owner=jinshui_enterprise, reviewer=bureau, title="锂离子电池正极材料循环寿命提升",
                           description="现有锂离子电池正极材料循环寿命不足，寻求包覆改性技术。",
                           keywords=["锂离子电池", "正极材料"], tech_field=term("hitech_domains", "40"),
                           budget_min="100000.00", budget_max="800000.00")


def expert(name, *, organization, region, expertise, user=None, fields=()):
    person = Person.objects.create(name=name, kind="expert", region=region, organization=organization,
                                   expertise=expertise, user=user, phone="13812345678")
    person.tech_fields.set([term("hitech_domains", code) for code in fields])
    return person


# --- ranking and explanations -----------------------------------------------------------------------------

class TestDemandMatches:
    def test_structure_breaks_a_text_tie(self, battery_demand, owner, hebi_institute, bureau, jinshui_enterprise,
                                         regions, reindex):
        # given: two achievements with the same text; one in the demand's field and district, with a price
        # within its budget and a TRL ready to transfer; the other in another field, city and over budget
        province = factories.bureau_admin("bureau-41", region_obj=regions["province"])
        far = achievement_in_state("published", owner=hebi_institute, reviewer=province, **BATTERY,
                                   tech_field=term("hitech_domains", "10"), trl=4, price="2000000.00")
        near = achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY,
                                    tech_field=term("hitech_domains", "40101"), trl=7, price="500000.00")
        reindex()
        # when
        matches = demand_matches(battery_demand, user=jinshui_enterprise, target_types=("achievement",))
        # then
        assert [m.target_id for m in matches] == [near.pk, far.pk]
        assert matches[0].text_score == pytest.approx(matches[1].text_score, rel=0.05)
        codes = {s.code for s in matches[0].signals}
        assert {"field_exact", "trl_ready", "price_within", "region_district"} <= codes
        far_codes = {s.code for s in matches[1].signals}
        assert "field_exact" not in far_codes and "price_over" in far_codes and "region_province" in far_codes

    def test_explanation_names_shared_terms_and_signals(self, battery_demand, owner, bureau, jinshui_enterprise,
                                                        reindex):
        achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY,
                             tech_field=term("hitech_domains", "40"), trl=7, price="500000.00")
        reindex()
        match = demand_matches(battery_demand, user=jinshui_enterprise, target_types=("achievement",))[0]
        assert "锂离子电池" in match.shared_terms and "正极材料" in match.shared_terms
        assert "共同关键词：" in match.explanation
        assert "同一技术领域：新材料" in match.explanation
        assert "技术就绪水平 7，可直接转化" in match.explanation
        assert "报价在预算范围内" in match.explanation
        assert "同在金水区" in match.explanation
        assert "<mark>锂离子电池</mark>" in match.explanation_html
        assert "<mark>" in match.title_html

    def test_low_trl_needs_development(self, battery_demand, owner, bureau, jinshui_enterprise, reindex):
        achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY, trl=3)
        reindex()
        match = demand_matches(battery_demand, user=jinshui_enterprise, target_types=("achievement",))[0]
        assert "技术就绪水平 3，需二次开发" in match.explanation

    def test_experts_and_institutions(self, battery_demand, owner_org, hebi_institute, jinshui_enterprise, regions,
                                      reindex):
        # given: an expert of an institute, the institute itself, and an enterprise with the same words
        expert("李研究员", organization=owner_org, region=regions["jinshui"], expertise="锂离子电池正极材料包覆改性",
               fields=["40"])
        owner_org.description = "长期从事锂离子电池正极材料研究"
        owner_org.save()
        rival = factories.organization("另一电池企业", region_obj=regions["city"])
        rival.description = "锂离子电池正极材料生产"
        rival.save()
        reindex()
        # when
        matches = demand_matches(battery_demand, user=jinshui_enterprise, target_types=("expert", "organization"))
        # then: experts and institutions only; an enterprise is no solver; personal data never in explanations
        keys = {(m.target_type, m.target_id) for m in matches}
        assert ("organization", owner_org.pk) in keys and ("organization", rival.pk) not in keys
        person = next(m for m in matches if m.target_type == "expert")
        assert person.record.name == "李研究员" and "13812345678" not in person.explanation

    def test_draft_achievement_is_no_match(self, battery_demand, owner, bureau, jinshui_enterprise, reindex):
        achievement_in_state("draft", owner=owner, reviewer=bureau, **BATTERY)
        reindex()
        assert demand_matches(battery_demand, user=bureau, target_types=("achievement",)) == []

    def test_own_organization_is_no_match(self, battery_demand, jinshui_enterprise, reindex):
        org = jinshui_enterprise.organization
        org.description = "锂离子电池正极材料"
        org.save()
        reindex()
        matches = demand_matches(battery_demand, user=jinshui_enterprise, target_types=("organization",))
        assert all(m.target_id != org.pk for m in matches)


class TestAchievementMatches:
    def test_demands_and_enterprises(self, battery_demand, owner, bureau, regions, reindex):
        achievement = achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY,
                                           tech_field=term("hitech_domains", "40"), trl=8, price="300000.00")
        enterprise_org = battery_demand.owner_organization
        enterprise_org.description = "锂离子电池正极材料制造企业"
        enterprise_org.save()
        institute = factories.organization("某电池研究院", region_obj=regions["city"], kind="institute")
        institute.description = "锂离子电池正极材料研究"
        institute.save()
        reindex()
        matches = achievement_matches(achievement, user=owner)
        keys = [(m.target_type, m.target_id) for m in matches]
        assert ("demand", battery_demand.pk) in keys
        assert ("organization", enterprise_org.pk) in keys and ("organization", institute.pk) not in keys
        demand_match = next(m for m in matches if m.target_type == "demand")
        assert "报价在预算范围内" in demand_match.explanation and "技术就绪水平 8，可直接转化" in demand_match.explanation


ONLY_A = ("achievement",)


class TestExclusion:
    def test_owner_not_useful_excludes_the_target(self, battery_demand, owner, bureau, jinshui_enterprise, reindex):
        # given
        a = achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY)
        reindex()
        assert [m.target_id for m in demand_matches(battery_demand, user=jinshui_enterprise, target_types=ONLY_A)] == [a.pk]
        # when: the demand's owner marks it not useful
        match_mark(source=battery_demand, target_type="achievement", target_id=a.pk, useful=False,
                   reason_code="price", by=jinshui_enterprise)
        # then: gone from the list, for the owner and for reviewers
        assert demand_matches(battery_demand, user=jinshui_enterprise, target_types=ONLY_A) == []
        assert demand_matches(battery_demand, user=bureau, target_types=ONLY_A) == []

    def test_reviewer_not_useful_only_lowers(self, battery_demand, owner, bureau, jinshui_enterprise, reindex):
        a = achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY)
        reindex()
        before = demand_matches(battery_demand, user=jinshui_enterprise, target_types=ONLY_A)[0].score
        match_mark(source=battery_demand, target_type="achievement", target_id=a.pk, useful=False,
                   reason_code="price", by=bureau)
        after = demand_matches(battery_demand, user=jinshui_enterprise, target_types=ONLY_A)
        assert [m.target_id for m in after] == [a.pk] and after[0].score < before
        assert any(s.code == "marks" for s in after[0].signals)

    def test_useful_marks_on_similar_demands_add(self, battery_demand, owner, bureau, jinshui_enterprise, regions,
                                                 reindex):
        a = achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY)
        other_org = factories.organization("另一企业", region_obj=regions["zhongyuan"])
        other = factories.user("ent-other", organization_obj=other_org, roles=[Role.ENTERPRISE])
        similar = demand_in_state("published", owner=other, reviewer=bureau, title="正极材料包覆",
                                  tech_field=term("hitech_domains", "40102"))
        reindex()
        before = demand_matches(battery_demand, user=jinshui_enterprise, target_types=ONLY_A)[0].score
        match_mark(source=similar, target_type="achievement", target_id=a.pk, useful=True, by=other)
        after = demand_matches(battery_demand, user=jinshui_enterprise, target_types=ONLY_A)[0]
        assert after.score == pytest.approx(before + 0.05)


