"""Contracts registered in the national system (全国技术合同登记系统), in and out as .xlsx (SPEC C4).

``national_import()`` reads the national system's export (the layout of ``national_columns()``,
documented in docs/features/national-import.md) and creates each row as a **registered** contract:
source 全国系统导入, registration-number source 全国系统导出导入, its 登记号 and 登记日期, counted in the
statistics (``contractstats.services.stats_apply(contract, +1)`` in the import transaction). Every row is
validated first, with the contracts app's own C1 rules (``services.contract_clean``) and its registration-number
rule (``registration.clean_national_number``); any bad row refuses the whole file with
``第N行 列名: 原因`` errors and nothing is written.

Idempotency: a 登记号 already in the database is skipped when the row says the same as the stored
contract (name, parties, amounts, dates — re-importing the same export is harmless) and is a row error
when it differs (a correction is a 登记变更 on the contract, not a re-import). A 登记号 twice in one file
is an error on the second row.

``national_export(queryset) -> bytes`` writes the same layout (for provinces and the round-trip tests).
The command ``techmarket contracts_import_national`` and the bureau's upload page both call
``national_import``.
"""
from __future__ import annotations

import datetime
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.accounts.permissions import is_bureau_admin, region_in_staff_scope, staff_scope
from techmarket.core.audit import record_bulk_import, record_change
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ImportJob, ObjectChange
from techmarket.core.money import yuan_str
from techmarket.core.xlsx import Column, Importer, ImportRefused, cell_error, cell_text, validate_file, write_workbook
from techmarket.directory.credit_code import normalize
from techmarket.directory.models import Organization
from techmarket.regions.models import Region

from . import services
from .choices import ContractSource, ContractStatus, RegistrationNumberSource
from .imports import TermResolver, amount_text, memoized, parse_date, service_field
from .models import NonTechnicalCost, RegistrationPoint, TechContract
from .registration import clean_national_number

__all__ = ["national_columns", "national_import", "national_export", "national_rows", "may_import_national",
           "parse_point", "NationalImportResult", "NATIONAL_COST_ITEM", "KIND"]

KIND = "contracts_national"
BATCH_SIZE = 2000
LOOKUP_CHUNK = 5000
# 技术交易额 comes from the national system; the difference to 合同成交额 is stored as one itemised cost so
# the contract keeps its rule 技术交易额 = 合同成交额 − 非技术性费用.
NATIONAL_COST_ITEM = "非技术性费用（全国系统核定）"
POINT_RE = re.compile(r"^(\d{4})-(\d{2})$")


def national_columns() -> list[Column]:
    """The export's column layout (全国技术合同登记系统 合同明细导出), in order."""
    return [
        Column("registration_number", _("登记号"), required=True, width=20, text=True,
               help=_("16 位：年份 4 位 + 省市代码 4 位 + 登记点 2 位 + 流水号 6 位")),
        Column("name", _("合同名称"), required=True, width=32),
        Column("category", _("合同类别"), required=True, help=_("代码或名称，如 11 或 委托开发")),
        Column("seller_name", _("卖方名称"), required=True, width=30),
        Column("seller_credit_code", _("卖方统一社会信用代码"), width=22, text=True),
        Column("seller_region", _("卖方所在地区代码"), required=True, text=True, help=_("6 位行政区划代码")),
        Column("seller_nature", _("卖方性质"), help=_("单位性质代码或名称")),
        Column("buyer_name", _("买方名称"), required=True, width=30),
        Column("buyer_credit_code", _("买方统一社会信用代码"), width=22, text=True),
        Column("buyer_region", _("买方所在地区代码"), required=True, text=True, help=_("6 位行政区划代码")),
        Column("buyer_nature", _("买方性质"), help=_("单位性质代码或名称")),
        Column("total_amount", _("合同成交额（元）"), required=True, text=True),
        Column("tech_amount", _("技术交易额（元）"), required=True, text=True, help=_("不大于合同成交额")),
        Column("tech_field", _("技术领域"), help=_("代码或名称")),
        Column("ip_type", _("知识产权类型"), help=_("代码或名称")),
        Column("plan_category", _("计划类别"), help=_("代码或名称")),
        Column("signed_on", _("签订日期"), required=True),
        Column("valid_from", _("有效期起")),
        Column("valid_to", _("有效期止")),
        Column("registered_on", _("登记日期"), required=True, help=_("不早于签订日期，不晚于今天")),
        Column("registration_authority", _("登记机构"), width=24, help=_("全国系统中的登记机构名称，仅供核对")),
        Column("expected_new_investment", _("预计新增投入（元）"), text=True),
        Column("expected_new_output", _("预计新增产值（元）"), text=True),
    ]


def parse_point(value: str | None) -> RegistrationPoint | None:
    """``CITY4-PP`` (e.g. ``4101-01``) → the registration point; ApplicationError naming ``point``."""
    if not value:
        return None
    match = POINT_RE.match(value.strip())
    if match is None:
        raise ApplicationError(_("登记点应写作“城市代码4位-登记点2位”，如 4101-01"), field="point", code="invalid")
    point = RegistrationPoint.objects.select_related("city").filter(
        city__code=match[1] + "00", code=match[2]).first()
    if point is None:
        raise ApplicationError(_("登记点 {p} 不存在").format(p=value.strip()), field="point", code="unknown_point")
    return point


def may_import_national(user) -> bool:
    """Bureau administrators (and superusers) import the national export from the page and the API.
    Registrars do not: an import creates registered contracts without examination, a bureau decision."""
    return is_bureau_admin(user)


def _fingerprint(contract: TechContract) -> tuple:
    return (contract.name, contract.seller_name, contract.seller_credit_code, contract.buyer_name,
            contract.buyer_credit_code, contract.total_amount_fen, contract.tech_amount_fen, contract.signed_on,
            contract.registered_on)


class NationalImporter(Importer):
    """One row of the national export → a registered contract (validated with the contracts app's rules)."""

    kind = KIND
    label = gettext_lazy("全国系统技术合同")
    model = TechContract

    def __init__(self, *, by, point: RegistrationPoint | None = None):
        super().__init__(by=by)
        self.point = point
        self.skipped = 0

    @classmethod
    def columns(cls) -> list[Column]:
        return national_columns()

    @classmethod
    def may_import(cls, user) -> bool:
        return may_import_national(user)

    def prepare(self, rows) -> None:
        self.today = timezone.localdate()
        self.terms = {f: memoized(TermResolver(f), f) for f in
                      ("category", "seller_nature", "buyer_nature", "tech_field", "ip_type", "plan_category")}
        self.regions = {f: memoized(lambda text, f=f: services.contract_field_clean(f, text), f)
                        for f in ("seller_region", "buyer_region")}
        self.scope = staff_scope(self.by) if is_bureau_admin(self.by) else None
        self.points = {(p.city.code[:4], p.code): p for p in RegistrationPoint.objects.select_related("city")}
        numbers = sorted({re.sub(r"\s+", "", cell_text(d.get("registration_number"))) for _n, d in rows} - {""})
        self.existing: dict[str, TechContract] = {}
        for i in range(0, len(numbers), LOOKUP_CHUNK):
            for contract in TechContract.objects.filter(registration_number__in=numbers[i:i + LOOKUP_CHUNK]):
                self.existing[contract.registration_number] = contract
        codes = set()
        for _n, d in rows:
            for key in ("seller_credit_code", "buyer_credit_code"):
                code = normalize(cell_text(d.get(key)))
                if code:
                    codes.add(code)
        self.organizations: dict[str, Organization] = {}
        codes = sorted(codes)
        for i in range(0, len(codes), LOOKUP_CHUNK):
            for org in Organization.objects.filter(credit_code__in=codes[i:i + LOOKUP_CHUNK]):
                self.organizations[org.credit_code] = org

    def _point_for(self, number: str) -> RegistrationPoint:
        """The ``--point`` given, or the point the number names when it is registered here; otherwise a
        stand-in naming the number's own city and point (a contract registered elsewhere), so only the
        number's format and year are checked."""
        if self.point is not None:
            return self.point
        key = (number[4:8], number[8:10])
        point = self.points.get(key)
        if point is None:
            point = RegistrationPoint(city=Region(code=number[4:8] + "00"), code=number[8:10])
        return point

    def clean(self, data: dict):
        errors: list[ErrorItem] = []
        values: dict = {}

        def take(key, func, *args, **kwargs):
            try:
                return func(*args, **kwargs)
            except ApplicationError as exc:
                errors.extend(ErrorItem(service_field(e.field) or key, e.code, e.message) for e in exc.errors)
                return None

        for key in ("name", "seller_name", "buyer_name", "seller_credit_code", "buyer_credit_code"):
            values[key] = cell_text(data.get(key))
        for key, convert in {**self.terms, **self.regions}.items():
            if key in data and cell_text(data[key]):
                values[key] = take(key, convert, data[key])
        for key in ("total_amount", "expected_new_investment", "expected_new_output"):
            if key in data and cell_text(data[key]):
                values[key] = amount_text(data[key])
        for key, label in (("signed_on", _("签订日期")), ("valid_from", _("有效期起")), ("valid_to", _("有效期止"))):
            if key in data:
                values[key] = take(key, parse_date, data[key], field=key, label=label)
        registered_on = take("registered_on", parse_date, data.get("registered_on"), field="registered_on",
                             label=_("登记日期"))
        tech_fen = None
        if cell_text(data.get("tech_amount")):
            tech_fen = take("tech_amount", services.clean_amount, amount_text(data["tech_amount"]),
                            field="tech_amount", label=_("技术交易额"), required=True)
        else:
            errors.append(ErrorItem("tech_amount", "required", _("请填写技术交易额")))
        number = re.sub(r"\s+", "", cell_text(data.get("registration_number")))
        if number:
            number = take("registration_number", lambda: clean_national_number(
                number, registered_on=registered_on, point=self._point_for(number))) or number
        else:
            errors.append(ErrorItem("registration_number", "required", _("请填写登记号")))
        if registered_on is None and not any(e.field == "registered_on" for e in errors):
            errors.append(ErrorItem("registered_on", "required", _("请填写登记日期")))
        for key, label in (("signed_on", _("签订日期")), ("seller_region", _("卖方所在地区代码")),
                           ("buyer_region", _("买方所在地区代码")), ("category", _("合同类别"))):
            if values.get(key) is None and not any(e.field == key for e in errors):
                errors.append(ErrorItem(key, "required", _("请填写{label}").format(label=label)))

        data_in = {k: v for k, v in values.items() if v is not None}
        total_fen = None
        if "total_amount" in data_in:
            total_fen = take("total_amount", services.contract_field_clean, "total_amount", data_in["total_amount"])
        if total_fen is not None and tech_fen is not None:
            if tech_fen > total_fen:
                errors.append(ErrorItem("tech_amount", "exceeds_total", _(
                    "技术交易额 {t} 元不能大于合同成交额 {a} 元").format(t=yuan_str(tech_fen), a=yuan_str(total_fen))))
            elif total_fen > tech_fen:
                data_in["non_technical_costs"] = [{"item": NATIONAL_COST_ITEM, "amount": yuan_str(total_fen - tech_fen)}]
        clean = None
        try:  # the seller is whoever the row names (seller_organization is matched below, after the rules)
            clean = services.contract_clean(data=data_in, today=self.today)
        except ApplicationError as exc:
            seen = {e.field for e in errors}
            errors.extend(ErrorItem(service_field(e.field), e.code, e.message) for e in exc.errors
                          if service_field(e.field) not in seen)
        # The row's own date and regions, checked even when another column is wrong.
        signed_on, seller_region, buyer_region = (values.get(k) for k in ("signed_on", "seller_region",
                                                                          "buyer_region"))
        if registered_on is not None:
            if registered_on > self.today:
                errors.append(ErrorItem("registered_on", "in_future", _("登记日期不能晚于今天")))
            elif signed_on is not None and registered_on < signed_on:
                errors.append(ErrorItem("registered_on", "before_signing", _("登记日期不能早于签订日期")))
        if self.scope is not None and seller_region is not None and buyer_region is not None \
                and not (region_in_staff_scope(self.by, seller_region)
                         or region_in_staff_scope(self.by, buyer_region)):
            errors.append(ErrorItem("seller_region", "out_of_scope", _(
                "卖方和买方都不在您的管辖范围（{s}）内").format(s=self.scope.full_name)))
        if errors:
            raise ApplicationError(errors=errors)
        contract = clean.new_contract(status=ContractStatus.REGISTERED, source=ContractSource.NATIONAL,
                                      registration_number_source=RegistrationNumberSource.IMPORTED,
                                      created_by=self.by if getattr(self.by, "pk", None) else None)
        contract.registration_number = number
        contract.registered_on = registered_on
        contract.seller_organization = self.organizations.get(contract.seller_credit_code)
        buyer = self.organizations.get(contract.buyer_credit_code)
        if buyer is not None and buyer.pk != contract.seller_organization_id:
            contract.buyer_organization = buyer
        point = self._point_for(number)
        contract.registration_point = point if point.pk else None
        existing = self.existing.get(number)
        if existing is not None:
            if _fingerprint(existing) == _fingerprint(contract):
                return None  # already imported, identical: skipped
            raise ApplicationError(_("登记号 {n} 已存在（合同“{c}”），且与本行内容不同；更正请在该合同上办理登记变更")
                                   .format(n=number, c=existing.name), field="registration_number", code="duplicate")
        return contract, clean.costs

    def check_rows(self, cleaned) -> list[ErrorItem]:
        first: dict[str, int] = {}
        errors = []
        header = self.header_of("registration_number")
        for number, row in cleaned:
            if row is None:
                continue
            key = row[0].registration_number
            if key in first:
                errors.append(cell_error(number, header, _("与第{row}行的登记号重复").format(row=first[key]),
                                         "duplicate_in_file"))
            else:
                first[key] = number
        return errors

    def write(self, cleaned):
        from techmarket.contractstats.services import stats_apply

        rows = [row for row in cleaned if row is not None]
        self.skipped = len(cleaned) - len(rows)
        contracts = [contract for contract, _costs in rows]
        TechContract.objects.bulk_create(contracts, batch_size=BATCH_SIZE)
        NonTechnicalCost.objects.bulk_create(
            [NonTechnicalCost(contract_id=c.pk, item=item, amount_fen=fen) for c, costs in rows for item, fen in costs],
            batch_size=BATCH_SIZE)
        for contract in contracts:
            stats_apply(contract, +1)
        return [(TechContract, contracts)]


@dataclass
class NationalImportResult:
    created: int
    skipped: int
    total: int
    dry_run: bool
    job: ImportJob | None = None
    contracts: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = _("已导入 {n} 份技术合同").format(n=self.created) if not self.dry_run else \
            _("校验通过：可导入 {n} 份技术合同（试运行，未写入）").format(n=self.created)
        if self.skipped:
            text += _("（{k} 份登记号已存在且内容一致，已跳过）").format(k=self.skipped)
        return text


def national_import(*, source, by, point: RegistrationPoint | None = None, dry_run: bool = False,
                    file_name: str = "") -> NationalImportResult:
    """Validate the whole file, then create every row as a registered contract in one transaction, or
    nothing. Raises ImportRefused listing every bad row (``第N行 列名: 原因``) and ApplicationError for a
    file that is not an .xlsx workbook. ``dry_run`` validates only. Records an ImportJob (kind
    ``contracts_national``) with one audit entry per contract, as every import does."""
    importer = NationalImporter(by=by, point=point)
    name = os.path.basename(file_name or getattr(source, "name", "") or "national.xlsx")[:255]
    actor = by if getattr(by, "pk", None) else None
    job = None
    if not dry_run:
        job = ImportJob.objects.create(kind=KIND, user=actor, region=staff_scope(by) if actor else None,
                                       file_name=name, status=ImportJob.Status.RUNNING, started_at=timezone.now())
    try:
        cleaned = validate_file(importer, source)
    except ApplicationError as exc:
        if job is not None:
            _fail(job, exc.errors)
        if isinstance(exc, ImportRefused):
            exc.job = job
        raise
    rows = [row for _n, row in cleaned]
    created = sum(1 for row in rows if row is not None)
    if dry_run:
        return NationalImportResult(created=created, skipped=len(rows) - created, total=len(rows), dry_run=True)
    try:
        with transaction.atomic():
            groups = importer.write(rows)
            contracts = groups[0][1]
            comment = _("全国技术合同登记系统导入（导入任务 #{id}）").format(id=job.pk)
            record_bulk_import(model=TechContract, objs=contracts, by=actor, comment=comment)
            job.status = ImportJob.Status.SUCCEEDED
            job.total_rows = job.processed_rows = len(rows)
            job.created_count = len(contracts)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "total_rows", "processed_rows", "created_count", "finished_at"])
            record_change(obj=job, action=ObjectChange.Action.IMPORT, by=actor,
                          after={"kind": KIND, "file_name": name, "created_count": len(contracts),
                                 "skipped": importer.skipped, "point": point.pk if point else None},
                          comment=_("导入全国系统技术合同 {n} 份（{f}）").format(n=len(contracts), f=name)[:200])
    except IntegrityError:
        errors = [ErrorItem(None, "conflict", _("保存失败：登记号与同时导入或登记的合同冲突，未导入任何数据，请重新导入"))]
        _fail(job, errors)
        raise ImportRefused(errors, job=job) from None
    return NationalImportResult(created=len(contracts), skipped=importer.skipped, total=len(rows), dry_run=False,
                                job=job, contracts=contracts)


def _fail(job: ImportJob, errors: list[ErrorItem]) -> None:
    job.status = ImportJob.Status.FAILED
    job.errors = [e.as_dict() for e in errors]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "finished_at"])


# --- export -------------------------------------------------------------------------------------------------

def _term_text(term) -> str:
    return f"{term.code} {term.name}" if term is not None else ""


def national_rows(contracts: Iterable[TechContract]):
    """One row per contract, in the order of ``national_columns()``."""
    for c in contracts:
        yield [
            c.registration_number or "", c.name, _term_text(c.category), c.seller_name, c.seller_credit_code,
            c.seller_region.code if c.seller_region_id else "", _term_text(c.seller_nature), c.buyer_name,
            c.buyer_credit_code, c.buyer_region.code if c.buyer_region_id else "", _term_text(c.buyer_nature),
            yuan_str(c.total_amount_fen), yuan_str(c.tech_amount_fen), _term_text(c.tech_field),
            _term_text(c.ip_type), _term_text(c.plan_category), c.signed_on, c.valid_from, c.valid_to,
            c.registered_on, c.registration_point.name if c.registration_point_id else "",
            yuan_str(c.expected_new_investment_fen) or "", yuan_str(c.expected_new_output_fen) or "",
        ]


def national_export(queryset) -> bytes:
    """Registered contracts of ``queryset`` as an .xlsx in the national export's layout."""
    qs = queryset.filter(status=ContractStatus.REGISTERED).exclude(registration_number__isnull=True) \
        .select_related("category", "seller_region", "seller_nature", "buyer_region", "buyer_nature", "tech_field",
                        "ip_type", "plan_category", "registration_point").order_by("registration_number")
    handle = io.BytesIO()
    write_workbook(handle, national_columns(), national_rows(qs.iterator(chunk_size=2000)),
                   title=_("技术合同登记明细"))
    return handle.getvalue()
