"""Excel import of technology contracts by the seller side (SPEC R6 for C1): drafts, all or nothing.

A user of a selling organization (``permissions.can_create_contract``) fills the template, one contract
per row; the importer's organization is the seller of every row, as in ``services.contract_create``.
Each row becomes the field values ``services.contract_create`` takes and goes through the same C1 rules
(``services.contract_clean``, the one validation path: names, credit codes, regions, taxonomy
terms, amounts, dates, non-technical costs, 技术交易额 = 合同成交额 − 非技术性费用); the cells are first
turned into registry objects here, in bulk and memoized per distinct text, so the rules run without a
query per row. Nothing is written unless every row is good; ``core.jobs`` writes the batch in one
transaction with one audit entry per contract.

The cell converters (taxonomy code or label, region code or name, dates, cost lists) are shared with
the national-system import (``national.py``).
"""
from __future__ import annotations

import datetime
import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.xlsx import CodeTable, Column, Importer, cell_text, register_importer
from techmarket.directory.choices import OrganizationKind, PersonKind
from techmarket.directory.credit_code import normalize
from techmarket.directory.models import Organization, Person
from techmarket.regions.selectors import RegionResolver
from techmarket.taxonomies.models import Term

from . import services
from .choices import ContractSource, ContractStatus
from .models import NonTechnicalCost, TechContract
from .permissions import can_create_contract

BATCH_SIZE = 2000
COST_SEPARATORS = re.compile(r"[；;\n]+")
COST_PAIR = re.compile(r"^(?P<item>.+?)\s*[:：]\s*(?P<amount>[^:：]+)$")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


# --- cell converters (shared with national.py) ---------------------------------------------------------

class TermResolver:
    """A taxonomy term by code (``11``), by label (``委托开发``) or both (``11 委托开发``), for one scheme.

    A label shared by a parent and its child (技术咨询 / 技术咨询) means the child, the level contracts
    are classified at. Loads the scheme once."""

    def __init__(self, field: str):
        self.field = field
        self.scheme, self.label = services.TERM_SCHEMES[field], services.FIELD_LABELS[field]
        terms = list(Term.objects.filter(scheme__code=self.scheme, is_active=True).select_related("scheme"))
        self.by_code = {t.code.upper(): t for t in terms}
        self.by_name: dict[str, Term] = {}
        for term in sorted(terms, key=lambda t: t.level):
            self.by_name[term.name] = term  # deeper levels win

    def __call__(self, value) -> Term | None:
        text = cell_text(value)
        if not text:
            return None
        code, _sep, rest = text.partition(" ")
        term = self.by_code.get(code.upper())
        if term is None:
            term = self.by_name.get((rest or text).strip()) or self.by_name.get(text)
        if term is None:
            raise ApplicationError(_("“{v}”不是有效的{label}代码或名称").format(v=text, label=self.label),
                                   field=self.field, code="unknown_term")
        return term

    def choices(self) -> tuple[str, ...]:
        return tuple(f"{t.code} {t.name}" for t in sorted(self.by_code.values(), key=lambda t: (t.sort_order,
                                                                                                  t.code)))


def memoized(func, field: str):
    """``func(text)`` once per distinct text (the same result, or the same error)."""
    memo: dict = {}

    def convert(value):
        key = cell_text(value)
        hit = memo.get(key)
        if hit is None:
            try:
                hit = func(key)
            except ApplicationError as exc:
                hit = ApplicationError(errors=[ErrorItem(field, e.code, e.message) for e in exc.errors])
            memo[key] = hit
        if isinstance(hit, ApplicationError):
            raise hit
        return hit

    return convert


def parse_date(value, *, field: str, label: str) -> datetime.date | None:
    """An Excel date, ``2025-03-01``, ``2025/3/1``, ``2025.3.1`` or ``2025年3月1日``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    match = DATE_TEXT.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ApplicationError(_("{label}“{v}”不是有效的日期，格式应为 YYYY-MM-DD").format(label=label, v=text),
                               field=field, code="invalid_date") from None


def amount_text(value) -> str:
    """A money cell as the text ``yuan_to_fen`` reads: floats from Excel keep at most two decimals."""
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = f"{value:.2f}"
        whole, _dot, frac = text.partition(".")
        if len(frac) > 2 and round(value, 2) == value:
            return f"{value:.2f}"
        return text
    return cell_text(value)


def parse_costs(value) -> list[dict]:
    """``设备:1000.00;材料:200`` → ``[{"item": "设备", "amount": "1000.00"}, …]`` (the service checks each)."""
    text = cell_text(value)
    if not text:
        return []
    rows = []
    for part in COST_SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        match = COST_PAIR.match(part)
        if match is None:
            raise ApplicationError(
                _("“{p}”格式不对，应写作“费用项目:金额”，多项用分号分隔，如 设备:1000.00;材料:200").format(p=part),
                field="non_technical_costs", code="invalid_costs")
        rows.append({"item": match["item"].strip(), "amount": match["amount"].strip()})
    return rows


def service_field(field: str | None) -> str | None:
    """A service error's field as the column it came from (``non_technical_costs.0.amount`` → costs)."""
    if field is None:
        return None
    if field.startswith("non_technical_costs"):
        return "non_technical_costs"
    return {"buyer_organization": "buyer_credit_code"}.get(field, field)


def term_table(field: str, title: str) -> CodeTable:
    scheme = services.TERM_SCHEMES[field]
    rows = Term.objects.filter(scheme__code=scheme, is_active=True).order_by("sort_order", "code") \
        .values_list("code", "name", "level")
    return CodeTable(title=title, headers=(_("代码"), _("名称"), _("层级")), rows=list(rows))


# --- the seller-side import ---------------------------------------------------------------------------------

@register_importer
class ContractImporter(Importer):
    kind = "contracts"
    label = gettext_lazy("技术合同")
    model = TechContract
    sheet_title = gettext_lazy("技术合同")

    @classmethod
    def columns(cls) -> list[Column]:
        return [
            Column("name", _("合同名称"), required=True, width=32, help=_("与合同文本一致，不超过 200 字"),
                   example=_("智能仓储调度系统委托开发合同")),
            Column("category", _("合同类别"), help=_("代码或名称，见“合同类别代码表”，如 11 或 委托开发"),
                   example="11 委托开发"),
            Column("buyer_name", _("买方名称"), required=True, width=30, example=_("河南中原物流有限公司")),
            Column("buyer_credit_code", _("买方统一社会信用代码"), width=22, text=True,
                   help=_("18 位统一社会信用代码；单位库中有该单位时自动关联，未填写的买方信息取单位库")),
            Column("buyer_region", _("买方所在地区"), width=16, text=True,
                   help=_("6 位行政区划代码（GB/T 2260），或名称、简称，如 410102、中原区"), example="410102"),
            Column("buyer_nature", _("买方性质"), help=_("单位性质代码或名称，见“单位性质代码表”"),
                   example="45 有限责任公司"),
            Column("total_amount", _("合同成交额（元）"), required=True, text=True,
                   help=_("单位元，最多两位小数，如 300000.00"), example="300000.00"),
            Column("non_technical_costs", _("非技术性费用"), width=30,
                   help=_("设备、零部件、原材料等非技术性费用，写作“费用项目:金额（元）”，多项用分号分隔；"
                          "技术交易额 = 合同成交额 − 非技术性费用合计，自动计算"),
                   example=_("服务器设备:50000.00;材料:2000")),
            Column("tech_field", _("技术领域"), help=_("代码或名称，见“技术领域代码表”"), example="01 电子信息"),
            Column("ip_type", _("知识产权类型"), help=_("代码或名称，见“知识产权类型代码表”"),
                   example="04 计算机软件著作权"),
            Column("plan_category", _("计划类别"), help=_("代码或名称：来自政府科技计划的合同填写计划级别"),
                   example="0 非计划"),
            Column("signed_on", _("签订日期"), help=_("YYYY-MM-DD 或 Excel 日期，不能晚于今天"), example="2025-03-01"),
            Column("valid_from", _("有效期起"), example="2025-03-01"),
            Column("valid_to", _("有效期止"), help=_("不早于有效期起和签订日期"), example="2026-02-28"),
            Column("broker", _("技术经纪人"), help=_("人才库中技术经纪人的证书编号或姓名；可不填")),
            Column("broker_agency", _("技术转移机构"), width=26,
                   help=_("单位库中技术转移机构的统一社会信用代码或名称；可不填")),
            Column("expected_new_investment", _("预计新增投入（元）"), text=True, help=_("技术转让合同填写")),
            Column("expected_new_output", _("预计新增产值（元）"), text=True, help=_("技术转让合同填写")),
        ]

    @classmethod
    def may_import(cls, user) -> bool:
        return can_create_contract(user)

    def notes(self) -> list[str]:
        from django.conf import settings

        org = getattr(self.by, "organization", None)
        return [
            _("1. 第 1 行是表头，请勿修改列名；红色列名为必填列。每行填写一份技术合同，从第 2 行开始。"),
            _("2. 卖方为本单位（{org}），卖方名称、信用代码、地区和性质取单位库，无需填写。")
            .format(org=org.name if org is not None else "—"),
            _("3. 导入前校验全部数据：只要有一行有误，整个文件都不会导入，并逐行列出“第N行 列名: 原因”。"),
            _("4. 导入的合同为草稿，可在“我的合同”中补充、修改后提交登记。"),
            _("5. 代码类列可填代码、名称或“代码 名称”，见各代码表；金额单位为元。"),
            _("6. 单个文件不超过 {mb} MB；超过 {rows} 行的文件转为后台任务。")
            .format(mb=settings.TECHMARKET_UPLOAD_MAX_MB, rows=settings.TECHMARKET_IMPORT_SYNC_ROWS),
        ]

    def code_tables(self) -> list[CodeTable]:
        return [term_table("category", _("合同类别代码表")), term_table("buyer_nature", _("单位性质代码表")),
                term_table("tech_field", _("技术领域代码表")), term_table("ip_type", _("知识产权类型代码表")),
                term_table("plan_category", _("计划类别代码表"))]

    # rows
    def prepare(self, rows) -> None:
        self.today = timezone.localdate()
        self.seller = Organization.objects.select_related("region", "party_nature").get(pk=self.by.organization_id)
        self.converters = {field: memoized(TermResolver(field), field) for field in
                           ("category", "buyer_nature", "tech_field", "ip_type", "plan_category")}
        self.converters["buyer_region"] = memoized(RegionResolver(), "buyer_region")
        self.converters["buyer_credit_code"] = memoized(self._buyer, "buyer_credit_code")
        self.converters["broker"] = memoized(self._broker, "broker")
        self.converters["broker_agency"] = memoized(self._agency, "broker_agency")

    def _buyer(self, text: str):
        """(normalized code, the registry organization or None); the service checks the code itself."""
        code = normalize(text)
        org = Organization.objects.select_related("region", "party_nature").filter(credit_code=code).first() \
            if code else None
        return code, org

    def _broker(self, text: str) -> Person:
        found = list(Person.objects.filter(kind=PersonKind.BROKER).filter(
            Q(broker_certificate_no=text) | Q(name=text))[:2])
        if not found:
            raise ApplicationError(_("人才库中没有证书编号或姓名为“{v}”的技术经纪人").format(v=text), field="broker",
                                   code="unknown_broker")
        if len(found) > 1:
            raise ApplicationError(_("“{v}”对应多名技术经纪人，请填写证书编号").format(v=text), field="broker",
                                   code="ambiguous_broker")
        return found[0]

    def _agency(self, text: str) -> Organization:
        found = list(Organization.objects.filter(kind=OrganizationKind.AGENCY).filter(
            Q(credit_code=normalize(text)) | Q(name=text))[:2])
        if len(found) != 1:
            raise ApplicationError(_("单位库中没有唯一对应“{v}”的技术转移机构，请填写统一社会信用代码").format(v=text),
                                   field="broker_agency", code="unknown_agency")
        return found[0]

    def clean(self, data: dict):
        errors: list[ErrorItem] = []
        values: dict = {}
        for key, raw in data.items():
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                if key in self.converters:
                    values[key] = self.converters[key](raw)
                elif key in ("signed_on", "valid_from", "valid_to"):
                    values[key] = parse_date(raw, field=key, label=services.FIELD_LABELS[key])
                elif key == "non_technical_costs":
                    values[key] = parse_costs(raw)
                elif key in ("total_amount", "expected_new_investment", "expected_new_output"):
                    values[key] = amount_text(raw)
                else:
                    values[key] = cell_text(raw)
            except ApplicationError as exc:
                errors.extend(exc.errors)
        if "buyer_credit_code" in values:
            code, org = values.pop("buyer_credit_code")
            values["buyer_credit_code"] = code
            if org is not None:
                values["buyer_organization"] = org
        clean = None
        try:  # a new contract sold by the importer's organization, as services.contract_create makes one
            clean = services.contract_clean(data=values, seller_organization=self.seller, today=self.today)
        except ApplicationError as exc:
            seen = {(e.field, e.message) for e in errors}
            errors.extend(item for item in (ErrorItem(service_field(e.field), e.code, e.message)
                                            for e in exc.errors) if (item.field, item.message) not in seen)
        if errors:
            raise ApplicationError(errors=errors)
        contract = clean.new_contract(status=ContractStatus.DRAFT, source=ContractSource.IMPORT, created_by=self.by)
        return contract, clean.costs

    def write(self, cleaned):
        contracts = [contract for contract, _costs in cleaned]
        TechContract.objects.bulk_create(contracts, batch_size=BATCH_SIZE)
        costs = [NonTechnicalCost(contract_id=contract.pk, item=item, amount_fen=fen)
                 for contract, rows in cleaned for item, fen in rows]
        NonTechnicalCost.objects.bulk_create(costs, batch_size=BATCH_SIZE)
        return [(TechContract, contracts)]


__all__ = ["ContractImporter", "TermResolver", "memoized", "parse_date", "parse_costs", "amount_text",
           "service_field", "term_table"]
