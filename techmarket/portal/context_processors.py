"""What every page's frame needs: the current city, the cities served, the navigation, the user's menu."""
from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _

from .choices import KIND_SLUGS, ArticleKind


def market_links(user) -> list[dict]:
    """我的成果 / 我的需求 for users who publish them, 成果审核 / 需求审核 for reviewers (user menu, side nav)."""
    if user is None or not user.is_authenticated:
        return []
    from techmarket.accounts.permissions import is_region_staff
    from techmarket.achievements.permissions import can_create_achievement
    from techmarket.demands.permissions import can_create_demand

    links = []
    if can_create_achievement(user):
        links.append({"label": _("我的成果"), "url": reverse("achievements:manage_mine"), "icon": "lightbulb",
                      "key": "achievements_mine"})
    if can_create_demand(user):
        links.append({"label": _("我的需求"), "url": reverse("demands:manage_mine"), "icon": "clipboard-check",
                      "key": "demands_mine"})
    staff = is_region_staff(user)
    from techmarket.contracts.permissions import is_registrar

    # A registrar's organization is the registration station: it neither lists nor buys.
    if user.organization_id and not staff and not is_registrar(user):
        links.append({"label": _("我的挂牌"), "url": reverse("listings:manage_mine"), "icon": "tags",
                      "key": "listings_mine"})
        links.append({"label": _("我的成交"), "url": reverse("deals:manage_list"), "icon": "briefcase",
                      "key": "deals_mine"})
        links.append({"label": _("我的合同"), "url": reverse("contracts:manage_list"), "icon": "file-earmark-text",
                      "key": "contracts_mine"})
        links.append({"label": _("揭榜挂帅"), "url": reverse("challenges:manage_list"), "icon": "flag",
                      "key": "challenges_mine"})
    if staff:
        links.append({"label": _("成果审核"), "url": reverse("achievements:manage_review"), "icon": "patch-check",
                      "key": "achievements_review"})
        links.append({"label": _("需求审核"), "url": reverse("demands:manage_review"), "icon": "clipboard2-check",
                      "key": "demands_review"})
        links.append({"label": _("挂牌审核"), "url": reverse("listings:manage_review"), "icon": "patch-check",
                      "key": "listings_review"})
        links.append({"label": _("竞价管理"), "url": reverse("auctions:manage_list"), "icon": "hammer",
                      "key": "auctions_manage"})
        links.append({"label": _("成交管理"), "url": reverse("deals:manage_list"), "icon": "briefcase",
                      "key": "deals_manage"})
        links.append({"label": _("技术合同"), "url": reverse("contracts:manage_list"), "icon": "file-earmark-text",
                      "key": "contracts_manage"})
        links.append({"label": _("揭榜挂帅管理"), "url": reverse("challenges:manage_list"), "icon": "flag",
                      "key": "challenges_manage"})
    from techmarket.contracts.permissions import is_registrar

    from techmarket.accounts.roles import Role

    if user.has_role(Role.EXPERT):
        links.append({"label": _("评审任务"), "url": reverse("challenges:review_inbox"), "icon": "clipboard2-check",
                      "key": "challenges_reviews"})
    if is_registrar(user):
        links.append({"label": _("登记待办"), "url": reverse("contracts:registrar_inbox"), "icon": "inbox",
                      "key": "contracts_registration"})
    from techmarket.events.selectors import may_manage_events

    if may_manage_events(user):
        links.append({"label": _("活动管理"), "url": reverse("events:manage_list"), "icon": "calendar-check",
                      "key": "events_manage"})
    links += policy_links(user, staff=staff)
    return links


def policy_links(user, *, staff: bool) -> list[dict]:
    """Subsidies, integrity records and targets: declaring units get 补助申报 / 政策预评估, staff the rounds,
    the pre-review inbox, integrity records and the targets dashboard."""
    from techmarket.subsidies.permissions import is_unit_user
    from techmarket.targets.permissions import can_use_targets

    links = []
    if is_unit_user(user) and not staff:
        links.append({"label": _("补助申报"), "url": reverse("subsidies:unit_rounds"), "icon": "cash-coin",
                      "key": "subsidies_declare"})
        links.append({"label": _("政策预评估"), "url": reverse("subsidies:precheck"), "icon": "calculator",
                      "key": "subsidies_precheck"})
    from techmarket.contractstats.permissions import can_view_contract_stats

    if can_view_contract_stats(user):
        links.append({"label": _("合同统计"), "url": reverse("contractstats:dashboard"), "icon": "bar-chart-line",
                      "key": "contract_stats"})
    if staff:
        links.append({"label": _("政策管理"), "url": reverse("subsidies:policy_manage_list"), "icon": "sliders",
                      "key": "subsidies_policies"})
        links.append({"label": _("补助批次"), "url": reverse("subsidies:round_list"), "icon": "cash-stack",
                      "key": "subsidies_rounds"})
        links.append({"label": _("补助初审"), "url": reverse("subsidies:pre_review_inbox"), "icon": "list-check",
                      "key": "subsidies_pre_review"})
        links.append({"label": _("科研诚信记录"), "url": reverse("integrity:manage_list"), "icon": "shield-exclamation",
                      "key": "integrity_manage"})
    if can_use_targets(user):
        links.append({"label": _("目标任务"), "url": reverse("targets:dashboard"), "icon": "bullseye",
                      "key": "targets"})
    return links


class PortalFrame:
    """Evaluated lazily: pages that never render the frame (the admin, files) cost no query."""

    def __init__(self, request):
        self.request = request
        self.user = getattr(request, "user", None)

    @cached_property
    def city(self):
        from .selectors import city_current

        return city_current(self.request)

    @cached_property
    def cities(self) -> list:
        from .selectors import cities_active

        # grouped by province in the header's city menu
        return sorted(cities_active(), key=lambda c: (c.region.path.split("/")[0], c.sort_order, c.region.code))

    @cached_property
    def is_multi_city(self) -> bool:
        return len(self.cities) > 1

    @cached_property
    def bureau_name(self) -> str:
        if self.city is not None:
            return self.city.bureau_name
        return _("各市科学技术局")

    def _kind_url(self, kind: str) -> str:
        slug = KIND_SLUGS[kind]
        if self.city is not None:
            return reverse("portal:article_list", kwargs={"code": self.city.code, "kind_slug": slug})
        return reverse("portal:home") + "?next=" + slug

    @cached_property
    def home_url(self) -> str:
        if self.city is not None:
            return reverse("portal:city_home", kwargs={"code": self.city.code})
        return reverse("portal:home")

    def _nav_build(self) -> list[dict]:
        """The navigation of this city, without the active flags (kept per process: it changes with the city)."""
        return [
            {"label": _("首页"), "url": self.home_url, "icon": "house", "home": True},
            {"label": _("成果库"), "url": "/achievements/", "icon": "lightbulb", "prefix": "/achievements/"},
            {"label": _("需求库"), "url": "/demands/", "icon": "clipboard-check", "prefix": "/demands/"},
            {"label": _("揭榜挂帅"), "url": "/challenges/", "icon": "flag", "prefix": "/challenges/"},
            {"label": _("技术交易"), "url": "/listings/", "icon": "shop", "children": [
                {"label": _("挂牌项目"), "url": "/listings/", "icon": "tag", "prefix": "/listings/"},
                {"label": _("竞价拍卖"), "url": "/auctions/", "icon": "hammer", "prefix": "/auctions/"},
                {"label": _("成交公示"), "url": "/deal-notices/", "icon": "megaphone", "prefix": "/deal-notices/"},
            ]},
            {"label": _("对接活动"), "url": "/events/", "icon": "calendar-event", "prefix": "/events/"},
            {"label": _("资源库"), "url": "/organizations/", "icon": "building", "children": [
                {"label": _("单位库"), "url": "/organizations/", "icon": "building", "prefix": "/organizations/"},
                {"label": _("人才库"), "url": "/people/", "icon": "people", "prefix": "/people/"},
                {"label": _("平台库"), "url": "/platforms/", "icon": "diagram-3", "prefix": "/platforms/"},
            ]},
            {"label": _("政策服务"), "url": "/subsidies/policies/", "icon": "award", "children": [
                {"label": _("补助政策"), "url": "/subsidies/policies/", "icon": "cash-coin",
                 "prefix": "/subsidies/"},
                {"label": _("科研诚信查询"), "url": "/integrity/", "icon": "shield-check", "prefix": "/integrity/"},
            ]},
            {"label": str(ArticleKind.NOTICE.label), "url": self._kind_url(ArticleKind.NOTICE), "icon": "megaphone",
             "segment": "/" + KIND_SLUGS[ArticleKind.NOTICE] + "/"},
            {"label": str(ArticleKind.POLICY.label), "url": self._kind_url(ArticleKind.POLICY),
             "icon": "journal-text", "segment": "/" + KIND_SLUGS[ArticleKind.POLICY] + "/"},
        ]

    def _active(self, item: dict) -> bool:
        path = self.request.path
        if item.get("home"):
            return path == "/" or path == self.home_url
        if "prefix" in item:
            return path.startswith(item["prefix"])
        if "segment" in item:
            return path.startswith("/city/") and item["segment"] in path
        return False

    @cached_property
    def nav(self) -> list[dict]:
        from django.utils.translation import get_language

        from techmarket.core import process_cache

        city = self.city.pk if self.city is not None else ""
        built = process_cache.cached(f"portal:nav:{city}:{get_language()}", self._nav_build)
        items = []
        for item in built:  # copies with the active flags of this page (what is cached stays read-only)
            if "children" in item:
                children = [{**child, "active": self._active(child)} for child in item["children"]]
                items.append({**item, "children": children, "active": any(c["active"] for c in children)})
            else:
                items.append({**item, "active": self._active(item)})
        return items

    @cached_property
    def nav_active(self) -> str:
        """Which navigation items are active: with the city, what the cached navigation fragment varies on."""
        return ",".join(f"{i}.{j}" for i, item in enumerate(self.nav)
                        for j, child in enumerate([item, *item.get("children", ())]) if child["active"])

    @property
    def fragment_seconds(self) -> float:
        """How long a rendered part of the frame is kept ({% cache %} in base.html): as the cities it shows."""
        from techmarket.core import process_cache

        return process_cache.TTL

    @cached_property
    def market_links(self) -> list[dict]:
        return market_links(self.user)

    @cached_property
    def can_enter_back_office(self) -> bool:
        from .permissions import can_enter_back_office

        return can_enter_back_office(self.user)

    @cached_property
    def role_labels(self) -> list[str]:
        if self.user is None or not self.user.is_authenticated:
            return []
        labels = list(self.user.role_labels)
        if self.user.is_superuser:
            labels.insert(0, _("系统管理员"))
        return labels


def portal(request):
    frame = PortalFrame(request)
    return {"portal": frame, "current_city": SimpleLazyObject(lambda: frame.city)}
