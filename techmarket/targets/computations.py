"""The registry of named server-side computations behind computed indicators (T1).

Staff pick a computation by name and fill its typed parameters; nothing here evaluates text they
enter. Each computation answers, for a period ``[start, end]`` and a list of units, one value per unit
(in the computation's base measure: fen for amounts, a count otherwise) with one grouped query, and
lists the records behind a unit's figure for the drill-down.

    COMPUTATIONS["contract_amount"].values(params={...}, units=[...], start=..., end=...)
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError
from techmarket.core.money import wan_yuan_display
from techmarket.regions.models import Region

LEVEL_RANK = {"national": 4, "provincial": 3, "municipal": 2, "district": 1}
LEVEL_CHOICES = (("", _("不限")), ("national", _("国家级")), ("provincial", _("省级及以上")),
                 ("municipal", _("市级及以上")), ("district", _("县区级及以上")))


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    type: str = "choice"            # choice | choices (a list) | bool
    choices: tuple = ()
    default: object = None
    required: bool = False

    def clean(self, value):
        allowed = {str(c[0]) for c in self.choices}
        if self.type == "bool":
            if value is None:
                return bool(self.default)
            if not isinstance(value, bool):
                raise ApplicationError(_("参数“{p}”应为是或否").format(p=self.label), field=f"params.{self.name}",
                                       code="invalid_param")
            return value
        if self.type == "choices":
            value = list(value or self.default or [])
            bad = [v for v in value if str(v) not in allowed]
            if bad or (self.required and not value):
                raise ApplicationError(_("参数“{p}”的取值“{v}”无效").format(p=self.label, v="、".join(map(str, bad))),
                                       field=f"params.{self.name}", code="invalid_param")
            return value
        value = self.default if value is None else value
        if (value is None or value == "") and self.required:
            raise ApplicationError(_("请填写参数“{p}”").format(p=self.label), field=f"params.{self.name}",
                                   code="required")
        if value not in (None, "") and str(value) not in allowed:
            raise ApplicationError(_("参数“{p}”的取值“{v}”无效").format(p=self.label, v=value),
                                   field=f"params.{self.name}", code="invalid_param")
        return value or ""


@dataclass(frozen=True)
class Drill:
    """The records behind one figure: column headers and rows of display values."""

    headers: Sequence[str]
    rows: list[Sequence[object]]
    total: int


def _roll_up(grouped: list[tuple[str, object]], units: Sequence[Region]) -> dict[int, Decimal]:
    """``[(region path, value)]`` summed into every unit whose subtree holds each path (a city and its
    districts may be asked for together: the city's figure then holds its districts')."""
    out = {u.pk: Decimal(0) for u in units}
    for path, value in grouped:
        if path is None:
            continue
        for unit in units:
            if path.startswith(unit.path):
                out[unit.pk] += Decimal(value or 0)
    return out


def _common_prefix_filter(units: Sequence[Region], field_name: str) -> Q:
    q = Q()
    for unit in units:
        q |= Q(**{f"{field_name}__startswith": unit.path})
    return q


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    description: str
    measure: str                                  # "fen" or "count"
    params: tuple[Param, ...] = ()
    grouped: Callable = field(default=None, repr=False)     # (params, units, start, end) -> [(path, value)]
    drill: Callable = field(default=None, repr=False)       # (params, unit, start, end, limit) -> Drill

    def clean_params(self, params: dict | None) -> dict:
        params = dict(params or {})
        known = {p.name for p in self.params}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ApplicationError(_("计算方法“{c}”没有参数“{p}”").format(c=self.label, p="、".join(unknown)),
                                   field="params", code="unknown_param")
        return {p.name: p.clean(params.get(p.name)) for p in self.params}

    def values(self, *, params: dict, units: Sequence[Region], start: datetime.date,
               end: datetime.date) -> dict[int, Decimal]:
        """One value per unit (keyed by region pk) for the period, in ``measure``."""
        if not units or end < start:
            return {u.pk: Decimal(0) for u in units}
        return _roll_up(self.grouped(self.clean_params(params), units, start, end), units)

    def records(self, *, params: dict, unit: Region, start: datetime.date, end: datetime.date,
                limit: int = 500) -> Drill:
        return self.drill(self.clean_params(params), unit, start, end, limit)


COMPUTATIONS: dict[str, Computation] = {}


def register(computation: Computation) -> Computation:
    COMPUTATIONS[computation.key] = computation
    return computation


def computation_get(key: str) -> Computation:
    try:
        return COMPUTATIONS[key]
    except KeyError:
        raise ApplicationError(_("未知的计算方法“{k}”").format(k=key), field="computation",
                               code="unknown_computation") from None


def computation_choices() -> list[tuple[str, str]]:
    return [(c.key, str(c.label)) for c in COMPUTATIONS.values()]


# --------------------------------------------------------------------------- contracts (技术合同)

def _contracts(params: dict, units: Sequence[Region], start, end):
    from techmarket.contracts.choices import ContractStatus
    from techmarket.contracts.models import TechContract

    side = "buyer" if params["side"] == "buyer" else "seller"
    # Registered in the period and still registered at its end: a contract deregistered later was counted
    # while it stood; one deregistered by the period's end is not.
    qs = TechContract.objects.filter(registered_on__gte=start, registered_on__lte=end).filter(
        Q(status=ContractStatus.REGISTERED)
        | Q(status=ContractStatus.DEREGISTERED, deregistered_on__gt=end))
    qs = qs.filter(_common_prefix_filter(units, f"{side}_region__path"))
    return qs, f"{side}_region__path"


def _contract_amount_grouped(params, units, start, end):
    qs, path = _contracts(params, units, start, end)
    column = "tech_amount_fen" if params["amount"] == "tech" else "total_amount_fen"
    return list(qs.values_list(path).annotate(v=Sum(column)).order_by())


def _contract_count_grouped(params, units, start, end):
    qs, path = _contracts(params, units, start, end)
    return list(qs.values_list(path).annotate(v=Count("pk")).order_by())


def _contract_drill(params, unit, start, end, limit):
    qs, _path = _contracts(params, [unit], start, end)
    qs = qs.select_related("seller_region", "buyer_region").order_by("-registered_on", "-pk")
    rows = [(c.registration_number or "", c.name, c.seller_name, c.seller_region.name if c.seller_region else "",
             c.buyer_name, c.registered_on, wan_yuan_display(c.total_amount_fen),
             wan_yuan_display(c.tech_amount_fen)) for c in qs[:limit]]
    return Drill([str(_("登记编号")), str(_("合同名称")), str(_("卖方")), str(_("卖方地区")), str(_("买方")),
                  str(_("登记日期")), str(_("合同成交额")), str(_("技术交易额"))], rows, qs.count())


_SIDE = Param("side", _("统计口径"), choices=(("seller", _("卖方在本区域（输出）")), ("buyer", _("买方在本区域（吸纳）"))),
              default="seller", required=True)

register(Computation(
    key="contract_amount", measure="fen",
    label=_("登记技术合同成交额"),
    description=_("期间内（按登记日期）认定登记的技术合同的合同成交额（或技术交易额）之和，卖方（或买方）在本区域；"
                  "期末前已注销登记的合同不计"),
    params=(Param("amount", _("金额"), choices=(("total", _("合同成交额")), ("tech", _("技术交易额"))),
                  default="total", required=True), _SIDE),
    grouped=_contract_amount_grouped, drill=_contract_drill))

register(Computation(
    key="contract_count", measure="count",
    label=_("登记技术合同件数"),
    description=_("期间内（按登记日期）认定登记的技术合同件数，卖方（或买方）在本区域；期末前已注销登记的不计"),
    params=(_SIDE,), grouped=_contract_count_grouped, drill=_contract_drill))


# --------------------------------------------------------------------------- qualifications (资质)

def _qualification_kind_choices():
    from techmarket.directory.choices import QualificationKind

    return tuple(QualificationKind.choices)


def _qualifications(params, units):
    from techmarket.directory.models import Qualification

    qs = Qualification.objects.filter(kind=params["kind"])
    if params.get("min_level"):
        allowed = [k for k, r in LEVEL_RANK.items() if r >= LEVEL_RANK[params["min_level"]]]
        qs = qs.filter(level__in=allowed)
    return qs.filter(_common_prefix_filter(units, "organization__region__path"))


def _valid_on(qs, day):
    return qs.filter(recognised_on__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def _orgs_valid_grouped(qs, day):
    return list(_valid_on(qs, day).values_list("organization__region__path")
                .annotate(v=Count("organization", distinct=True)).order_by())


def _net_new_grouped(params, units, start, end):
    qs = _qualifications(params, units)
    before = start - datetime.timedelta(days=1)
    at_end = _orgs_valid_grouped(qs, end)
    at_start = [(path, -value) for path, value in _orgs_valid_grouped(qs, before)]
    return at_end + at_start


def _total_grouped(params, units, start, end):
    return _orgs_valid_grouped(_qualifications(params, units), end)


def _recognised_grouped(params, units, start, end):
    qs = _qualifications(params, units).filter(recognised_on__gte=start, recognised_on__lte=end)
    return list(qs.values_list("organization__region__path").annotate(v=Count("organization", distinct=True))
                .order_by())


def _qualification_rows(qs, limit):
    qs = qs.select_related("organization", "organization__region").order_by("organization__name", "pk")
    return [(q.organization.name, q.organization.region.name, q.get_kind_display(), q.get_level_display(),
             q.certificate_no, q.recognised_on, q.valid_until or _("长期")) for q in qs[:limit]]


_QUAL_HEADERS = [str(_("单位")), str(_("所在区域")), str(_("资质")), str(_("级别")), str(_("证书编号")),
                 str(_("认定日期")), str(_("有效期至"))]


def _net_new_drill(params, unit, start, end, limit):
    qs = _qualifications(params, [unit])
    before = start - datetime.timedelta(days=1)
    at_start = set(_valid_on(qs, before).values_list("organization_id", flat=True))
    gained = _valid_on(qs, end).exclude(organization_id__in=at_start)
    lost_ids = at_start - set(_valid_on(qs, end).values_list("organization_id", flat=True))
    rows = [(*r, _("新增有效")) for r in _qualification_rows(gained, limit)]
    lost = _valid_on(qs, before).filter(organization_id__in=lost_ids)
    rows += [(*r, _("期末已失效（扣减）")) for r in _qualification_rows(lost, limit)]
    return Drill(_QUAL_HEADERS + [str(_("计入方式"))], rows, gained.count() + lost.count())


def _total_drill(params, unit, start, end, limit):
    qs = _valid_on(_qualifications(params, [unit]), end)
    return Drill(_QUAL_HEADERS, _qualification_rows(qs, limit), qs.count())


def _recognised_drill(params, unit, start, end, limit):
    qs = _qualifications(params, [unit]).filter(recognised_on__gte=start, recognised_on__lte=end)
    return Drill(_QUAL_HEADERS, _qualification_rows(qs, limit), qs.count())


def _kind_param():
    return Param("kind", _("资质类型"), choices=_qualification_kind_choices(), required=True)


_MIN_LEVEL = Param("min_level", _("最低级别"), choices=LEVEL_CHOICES, default="")

register(Computation(
    key="qualified_net_new", measure="count",
    label=_("新增有效资质单位数"),
    description=_("期末持有效资质的单位数减去期初持有效资质的单位数（如新增有效高新技术企业）"),
    params=(_kind_param(), _MIN_LEVEL), grouped=_net_new_grouped, drill=_net_new_drill))

register(Computation(
    key="qualified_total", measure="count",
    label=_("有效资质单位总数"),
    description=_("期末持有效资质的单位数（如高新技术企业总量）"),
    params=(_kind_param(), _MIN_LEVEL), grouped=_total_grouped, drill=_total_drill))

register(Computation(
    key="qualified_recognised", measure="count",
    label=_("期间新认定资质单位数"),
    description=_("期间内新认定（入库、备案）该资质的单位数（如新增科技型企业、新型研发机构）"),
    params=(_kind_param(), _MIN_LEVEL), grouped=_recognised_grouped, drill=_recognised_drill))


# --------------------------------------------------------------------------- platforms (平台库)

def _platform_kind_choices():
    from techmarket.directory.choices import PlatformKind

    return tuple(PlatformKind.choices)


def _platforms(params, units):
    from techmarket.directory.models import Platform

    qs = Platform.objects.all()
    if params.get("kinds"):
        qs = qs.filter(kind__in=params["kinds"])
    if params.get("min_level"):
        allowed = [k for k, r in LEVEL_RANK.items() if r >= LEVEL_RANK[params["min_level"]]]
        qs = qs.filter(level__in=allowed)
    return qs.filter(_common_prefix_filter(units, "region__path"))


def _platforms_recognised_grouped(params, units, start, end):
    qs = _platforms(params, units).filter(recognised_on__gte=start, recognised_on__lte=end)
    return list(qs.values_list("region__path").annotate(v=Count("pk")).order_by())


def _platforms_total_grouped(params, units, start, end):
    qs = _valid_on(_platforms(params, units), end)
    return list(qs.values_list("region__path").annotate(v=Count("pk")).order_by())


def _platform_rows(qs, limit):
    qs = qs.select_related("organization", "region").order_by("-recognised_on", "pk")
    return [(p.name, p.get_kind_display(), p.get_level_display(), p.organization.name, p.region.name,
             p.recognised_on, p.valid_until or _("长期")) for p in qs[:limit]]


_PLATFORM_HEADERS = [str(_("平台名称")), str(_("类型")), str(_("级别")), str(_("依托单位")), str(_("所在区域")),
                     str(_("认定日期")), str(_("有效期至"))]


def _platforms_recognised_drill(params, unit, start, end, limit):
    qs = _platforms(params, [unit]).filter(recognised_on__gte=start, recognised_on__lte=end)
    return Drill(_PLATFORM_HEADERS, _platform_rows(qs, limit), qs.count())


def _platforms_total_drill(params, unit, start, end, limit):
    qs = _valid_on(_platforms(params, [unit]), end)
    return Drill(_PLATFORM_HEADERS, _platform_rows(qs, limit), qs.count())


_KINDS = Param("kinds", _("平台类型（可多选，空为全部）"), type="choices", choices=_platform_kind_choices(), default=[])

register(Computation(
    key="platforms_recognised", measure="count",
    label=_("期间新认定创新平台数"),
    description=_("期间内认定的某级别及以上的创新平台数（如新建省级及以上创新平台、院士工作站建站）"),
    params=(_KINDS, _MIN_LEVEL), grouped=_platforms_recognised_grouped, drill=_platforms_recognised_drill))

register(Computation(
    key="platforms_total", measure="count",
    label=_("有效创新平台总数"),
    description=_("期末在有效期内的某级别及以上的创新平台数（如众创空间总数）"),
    params=(_KINDS, _MIN_LEVEL), grouped=_platforms_total_grouped, drill=_platforms_total_drill))
