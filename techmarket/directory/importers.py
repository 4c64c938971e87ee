"""Excel imports of the registries (SPEC R6): organizations, people, platforms.

Each importer validates a row with the same converters the services use (``services._*_converters``:
choices by value or Chinese label, dates, regions by code or short name, taxonomy codes) plus the
model fields' own validators (length, credit-code check character, e-mail, URL) and required-ness,
with bulk lookups instead of per-row queries: memoizing region, term and organization resolvers and
one query per 10,000 rows for keys already registered. Rows become records through ``bulk_create``
(many-to-many links through the through model, in bulk); ``core.jobs`` wraps the write in one
transaction with the audit entries. An import only creates records: a row whose key already exists
is an error, never an update.
"""
from __future__ import annotations

import re
from itertools import zip_longest

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.accounts.permissions import staff_scope
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.masking import mask
from techmarket.core.xlsx import (
    CodeTable,
    Column,
    Importer,
    cell_error,
    cell_text,
    first_validation_message,
    insert_link_rows,
    register_importer,
)
from techmarket.regions.models import Region
from techmarket.regions.selectors import RegionResolver
from techmarket.taxonomies.models import Term

from . import permissions, services
from .choices import Gender, Level, OrganizationKind, PersonKind, PlatformKind, QualificationKind, TalentProgramme
from .credit_code import check_character, normalize
from .models import Contact, Organization, Person, Platform, Qualification

BATCH_SIZE = 2000
LOOKUP_CHUNK = 10000
LIST_SEPARATORS = re.compile(r"[；;\n]+")


def _labels(choices) -> tuple[str, ...]:
    return tuple(str(label) for _value, label in choices)


def _term_choices(scheme: str) -> tuple[str, ...]:
    return tuple(f"{code} {name}" for code, name in
                 Term.objects.filter(scheme__code=scheme, is_active=True).order_by("sort_order", "code")
                 .values_list("code", "name"))


def _term_table(scheme: str, title: str) -> CodeTable:
    rows = Term.objects.filter(scheme__code=scheme, is_active=True).order_by("sort_order", "code") \
        .values_list("code", "name", "level")
    return CodeTable(title=title, headers=(_("代码"), _("名称"), _("层级")), rows=list(rows))


def _example_credit_code(region_code: str = "410105") -> str:
    first17 = "91" + region_code + "MA9G4K2P3"
    return first17 + check_character(first17)


def _region_table(user) -> CodeTable:
    scope = staff_scope(user)
    qs = Region.objects.select_related("parent", "parent__parent")
    if scope is not None:
        qs = qs.filter(path__startswith=scope.path)
    rows = [(r.code, r.full_name, "、".join(r.short_names or [])) for r in qs.order_by("code")]
    return CodeTable(title=_("区划代码表"), headers=(_("代码"), _("名称"), _("可用简称")), rows=rows)


def _memoize(converter):
    """converter(text, key) → the same result (or the same error) for the same text."""
    memo: dict = {}

    def convert(value, key):
        hit = memo.get(value)
        if hit is None:
            try:
                hit = converter(value, key)
            except ApplicationError as exc:
                hit = exc
            memo[value] = hit
        if isinstance(hit, ApplicationError):
            raise hit
        return hit

    return convert


def _is_blank(value) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


class RegistryImporter(Importer):
    """Shared machinery: columns from the model's verbose names, per-column cleaners, scope checks."""

    m2m: tuple[str, ...] = ()
    personal_keys: frozenset[str] = frozenset()   # masked exports cannot be re-imported
    scope_denied_message = ""

    def __init__(self, *, by):
        super().__init__(by=by)
        scope = staff_scope(by)
        self.regions = RegionResolver(within=scope)
        self._scope = scope
        self._scope_memo: dict[int, bool] = {}
        self._cleaners: list = []
        self._file_errors: list[ErrorItem] = []

    # columns
    @classmethod
    def field_column(cls, key: str, **kwargs) -> Column:
        """A column named after the model field's verbose name, required when the field may not be blank."""
        model_field = cls.model._meta.get_field(key)
        kwargs.setdefault("header", str(model_field.verbose_name))
        kwargs.setdefault("required", not model_field.blank)
        return Column(key=key, **kwargs)

    @classmethod
    def may_import(cls, user) -> bool:
        return permissions.can_import_registry(user)

    def notes(self) -> list[str]:
        from django.conf import settings

        scope = self._scope.full_name if self._scope is not None else _("全部区域")
        return [
            _("1. 第 1 行是表头，请勿修改列名；红色列名为必填列。每行填写一条记录，从第 2 行开始。"),
            _("2. 导入前系统会校验全部数据：只要有一行有误，整个文件都不会导入，并逐行列出“第N行 列名: 原因”；"
              "修改后重新上传即可。"),
            _("3. 导入只新增记录，不修改已有记录。"),
            _("4. 您的管辖范围：{scope}。所在区域必须在管辖范围之内。").format(scope=scope),
            _("5. 所在区域可填 6 位行政区划代码（如 410105），也可填名称或简称（如 金水区、管城区、郑州高新区），"
              "见“区划代码表”。"),
            _("6. 多个取值用逗号分隔（如技术领域 10101,10102）；代码后面可以带名称（如“10101 基础软件”）。"),
            _("7. 单个文件不超过 {mb} MB；超过 {rows} 行的文件转为后台任务，页面会显示进度。")
            .format(mb=settings.TECHMARKET_UPLOAD_MAX_MB, rows=settings.TECHMARKET_IMPORT_SYNC_ROWS),
        ]

    # cleaning
    def converters(self) -> dict:
        return {}

    # Converters whose result depends only on the cell text (choices, codes, regions, organizations):
    # memoized per distinct text, so a 100,000-row file resolves each distinct value once.
    memoized: tuple[str, ...] = ("kind", "gender", "level", "programmes", "party_nature", "industry", "region",
                                 "tech_fields", "disciplines", "organization")

    def prepare(self, rows) -> None:
        present = set(rows[0][1]) if rows else set()
        converters = self.converters()
        self._cleaners = []
        for column in self.columns():
            if not column.importable or column.key not in present:
                continue
            clean, max_length = self._cleaner(column, converters.get(column.key))
            self._cleaners.append((column.key, clean, max_length, self._empty(column.key), column.required))

    def _empty(self, key):
        try:
            model_field = self.model._meta.get_field(key)
        except Exception:
            return ""
        if model_field.many_to_many:
            return []
        if isinstance(model_field, models.JSONField):
            return model_field.get_default()
        if model_field.null or not isinstance(model_field, (models.CharField, models.TextField)):
            return None
        return ""

    def _cleaner(self, column: Column, converter):
        """``(clean, max_length)``: ``clean(value)`` returns the cleaned value or raises ApplicationError —
        the service converter first, then the model field's validators. ``clean`` is None for plain
        text columns, which ``clean_values`` handles inline (a length check against the model field)."""
        key = column.key
        try:
            model_field = self.model._meta.get_field(key)
        except Exception:
            model_field = None
        validators = None
        length_only = None  # a field whose only validator is its max_length: run it only when too long
        if model_field is not None and isinstance(model_field, (models.CharField, models.TextField)) \
                and not model_field.choices and model_field.validators:
            validators = model_field.run_validators
            if all(isinstance(v, MaxLengthValidator) for v in model_field.validators):
                length_only = model_field.max_length
        masked_check = key in self.personal_keys
        text_input = not (model_field is not None and isinstance(model_field, models.DateField))
        if converter is None and text_input and not masked_check and (validators is None or length_only):
            return None, length_only
        if converter is not None and key in self.memoized:
            converter = _memoize(converter)

        def clean(value):
            if text_input:
                value = cell_text(value)
                if masked_check and "*" in value:
                    raise ApplicationError(_("是脱敏后的数据（含 *），不能导入，请填写完整信息"), field=key,
                                           code="masked_value")
            if converter is not None:
                value = converter(value, key)
            if validators is not None and value and (length_only is None or len(value) > length_only):
                self._validate(key, value)
            return value

        return clean, None

    def _validate(self, key: str, value) -> None:
        try:
            self.model._meta.get_field(key).run_validators(value)
        except ValidationError as exc:
            raise ApplicationError(first_validation_message(exc), field=key, code="invalid")

    def clean_values(self, data: dict) -> dict:
        """Every column of one row, all errors gathered (ApplicationError items name the column key)."""
        values: dict = {}
        errors: list[ErrorItem] | None = None
        for key, clean, max_length, empty, required in self._cleaners:
            raw = data[key]
            if raw.__class__ is str:
                raw = raw.strip()
                blank = not raw
            else:
                blank = raw is None
            if blank:
                if required:
                    errors = errors or []
                    errors.append(ErrorItem(key, "required", _("必填，不能为空")))
                else:
                    values[key] = empty
                continue
            try:
                if clean is None:  # plain text
                    text = raw if raw.__class__ is str else cell_text(raw)
                    if max_length is not None and len(text) > max_length:
                        self._validate(key, text)
                    values[key] = text
                else:
                    values[key] = clean(raw)
            except ApplicationError as exc:
                errors = errors or []
                errors.extend(ErrorItem(key, e.code, e.message) for e in exc.errors)
        if errors:
            raise ApplicationError(errors=errors)
        return values

    def instance(self, values: dict):
        """The model instance, foreign keys set by id (cheaper than through their descriptors)."""
        for name in self._fk_names:
            if name in values:
                target = values.pop(name)
                values[name + "_id"] = None if target is None else target.pk
        return self.model(**values)

    @property
    def _fk_names(self) -> tuple[str, ...]:
        names = self.__class__.__dict__.get("_fk_cache")
        if names is None:
            names = tuple(f.name for f in self.model._meta.concrete_fields if f.many_to_one)
            self.__class__._fk_cache = names
        return names

    def in_scope(self, region) -> bool:
        allowed = self._scope_memo.get(region.pk)
        if allowed is None:
            allowed = self._scope_memo[region.pk] = self.may_create_in(region)
        return allowed

    def may_create_in(self, region) -> bool:
        raise NotImplementedError

    def scope_error(self, region) -> ErrorItem:
        scope = self._scope.full_name if self._scope is not None else _("无")
        return ErrorItem("region", "out_of_scope",
                         _("“{r}”不在您的管辖范围（{s}）内，{m}").format(r=region.full_name, s=scope,
                                                                      m=self.scope_denied_message))

    def check_rows(self, cleaned) -> list[ErrorItem]:
        return self._file_errors

    # writing
    def write_m2m(self, objs_and_values: list[tuple[models.Model, dict]]) -> None:
        """The many-to-many links of every new record, in bulk through each through model."""
        for name in self.m2m:
            field = self.model._meta.get_field(name)
            pairs = [(obj.pk, term_pk) for obj, values in objs_and_values for term_pk in values.get(name, ())]
            insert_link_rows(field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name(),
                             pairs, batch_size=BATCH_SIZE)

    @staticmethod
    def unique_pks(terms) -> tuple[int, ...]:
        return tuple(dict.fromkeys(t.pk for t in terms))

    def _duplicates(self, rows, key: str, normalize_fn, message: str) -> dict[str, int]:
        """First row of each key value; later rows with the same value become file errors."""
        first: dict[str, int] = {}
        header = self.header_of(key)
        for number, data in rows:
            raw = data.get(key)
            if _is_blank(raw):
                continue
            value = normalize_fn(raw)
            if value in first:
                self._file_errors.append(cell_error(number, header, message.format(row=first[value]),
                                                    "duplicate_in_file"))
            else:
                first[value] = number
        return first


# Organizations ------------------------------------------------------------------------------------

QUALIFICATION_RE = re.compile(
    r"^(?P<kind>[^\s（(0-9]+?)\s*(?:[（(](?P<level>[^）)]*)[）)])?\s*"
    r"(?P<start>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})?\s*"
    r"(?:(?:至|~|～)\s*(?P<end>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})?)?\s*"
    r"(?:证书(?:编号)?[:：]?\s*(?P<no>\S+))?$"
)
QUALIFICATION_EXAMPLE = "高新技术企业（国家级）2023-12-01至2026-11-30 证书GR202341000123"


def qualification_text(q: dict) -> str:
    """One qualification as the import reads it back (the exporters write this)."""
    text = q["kind_display"]
    if q.get("level_display"):
        text += "（{l}）".format(l=q["level_display"])
    text += q["recognised_on"] or ""
    if q.get("valid_until"):
        text += "至" + q["valid_until"]
    if q.get("certificate_no"):
        text += " 证书" + q["certificate_no"]
    return text


def _constraint_message(model, name: str) -> str:
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(name)


_qualification_kind = _memoize(lambda v, f: services._choice(v, QualificationKind.choices, f))
_qualification_level = _memoize(lambda v, f: services._choice(v, Level.choices, f))


def parse_qualifications(value, field: str = "qualifications") -> list[dict]:
    """'高新技术企业（国家级）2023-12-01至2026-11-30 证书GR…；科技型中小企业 2024-05-01' → dicts."""
    out = []
    for item in LIST_SEPARATORS.split(cell_text(value)):
        item = item.strip()
        if not item:
            continue
        match = QUALIFICATION_RE.match(item)
        if match is None:
            raise ApplicationError(_("资质“{v}”格式不正确，应为“类型（级别）认定日期至有效期至 证书编号”，如“{e}”")
                                   .format(v=item, e=QUALIFICATION_EXAMPLE), field=field, code="invalid_qualification")
        kind = _qualification_kind(match["kind"], field)
        level = _qualification_level(match["level"] or "", field)
        recognised_on = services._date(match["start"], field)
        if recognised_on is None:
            raise ApplicationError(_("资质“{v}”缺少认定日期").format(v=item), field=field, code="required")
        valid_until = services._date(match["end"], field)
        if valid_until is not None and valid_until < recognised_on:
            raise ApplicationError(_("资质“{v}”：{m}").format(
                v=item, m=_constraint_message(Qualification, "qualification_valid_after_recognised")),
                field=field, code="invalid_period")
        out.append({"kind": kind, "level": level, "recognised_on": recognised_on, "valid_until": valid_until,
                    "certificate_no": (match["no"] or "").strip()})
    return out


def _split_list(value) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(cell_text(value))]


CONTACT_KEYS = ("contact_name", "contact_title", "contact_phone", "contact_email")


@register_importer
class OrganizationImporter(RegistryImporter):
    kind = "organizations"
    label = gettext_lazy("单位")
    model = Organization
    sheet_title = gettext_lazy("单位")
    m2m = ("tech_fields",)
    personal_keys = frozenset({"contact_phone", "contact_email"})
    scope_denied_message = gettext_lazy("无权在该区域登记单位")

    @classmethod
    def columns(cls) -> list[Column]:
        f = cls.field_column
        kinds = _labels(OrganizationKind.choices)
        return [
            Column("id", _("编号"), importable=False, width=8),
            f("name", width=32, help=_("单位全称，与营业执照或法人证书一致"), example=_("郑州某某智能科技有限公司")),
            f("credit_code", width=22, text=True, example=_example_credit_code(),
              help=_("18 位统一社会信用代码（GB 32100-2015），自动校验第 18 位校验位；不使用 I、O、S、V、Z；"
                     "已登记的代码不能重复导入")),
            f("kind", choices=kinds, help=_("从下拉列表选择"), example=kinds[0]),
            f("region", width=16, text=True,
              help=_("6 位行政区划代码，或名称/简称，如 410105、金水区、管城区、郑州高新区（见区划代码表）"),
              example="410105"),
            Column("region_name", _("区域名称"), importable=False, width=20),
            f("party_nature", choices=_term_choices("party_nature"),
              help=_("单位性质代码或名称（技术合同登记的当事人性质），从下拉列表选择"), example="45 有限责任公司"),
            f("industry", help=_("国民经济行业分类（GB/T 4754）代码或名称，见“行业代码表”"), example="6513"),
            f("tech_fields", width=28, multiple=True,
              help=_("《国家重点支持的高新技术领域》代码，见“技术领域代码表”；多个用逗号分隔"),
              example="10101,10102"),
            Column("qualifications", _("资质"), multiple=True, width=40,
                   help=_("每项写作“类型（级别）认定日期至有效期至 证书编号”，级别、有效期和证书编号可省略；"
                          "多项用分号分隔。类型：{k}；级别：{l}")
                   .format(k="、".join(_labels(QualificationKind.choices)), l="、".join(_labels(Level.choices))),
                   example=QUALIFICATION_EXAMPLE),
            f("address", width=30, example=_("郑州市金水区花园路 100 号")),
            f("website", width=24, help=_("以 http:// 或 https:// 开头"), example="https://www.example.cn"),
            f("legal_representative"),
            f("established_on", help=_("日期，格式 YYYY-MM-DD，或 Excel 日期"), example="2015-06-18"),
            f("description", width=40),
            Column("contact_name", _("联系人"), help=_("多个联系人用分号分隔，与职务、电话、邮箱按顺序对应"),
                   example=_("王明；李华")),
            Column("contact_title", _("联系人职务"), example=_("总经理；科技主管")),
            Column("contact_phone", _("联系电话"), text=True, example="13800138000；0371-60000000"),
            Column("contact_email", _("联系邮箱"), width=24, example="wang@example.cn"),
            f("notes", width=30, help=_("仅管理部门可见")),
        ]

    def code_tables(self) -> list[CodeTable]:
        return [_region_table(self.by), _term_table("hitech_domains", _("技术领域代码表")),
                _term_table("gbt4754", _("行业代码表"))]

    def converters(self) -> dict:
        converters = services._organization_converters(regions=self.regions)
        converters["qualifications"] = parse_qualifications
        return converters

    def may_create_in(self, region) -> bool:
        return permissions.can_create_organization_in(self.by, region)

    def prepare(self, rows) -> None:
        super().prepare(rows)
        # Contacts are validated together, one Contact per position (see _contacts).
        self._cleaners = [c for c in self._cleaners if c[0] not in CONTACT_KEYS]
        self._file_errors = []
        first = self._duplicates(rows, "credit_code", normalize, _("与第{row}行的统一社会信用代码重复"))
        self._existing: dict[str, str] = {}
        codes = sorted(first)
        for i in range(0, len(codes), LOOKUP_CHUNK):
            self._existing.update(Organization.objects.filter(credit_code__in=codes[i:i + LOOKUP_CHUNK])
                                  .values_list("credit_code", "name"))
        self._taken_message = str(Organization._meta.get_field("credit_code").error_messages["unique"])
        self._contacts_present = any(k in rows[0][1] for k in CONTACT_KEYS) if rows else False

    def clean(self, data: dict):
        errors: list[ErrorItem] = []
        contacts, values = [], None
        try:
            values = self.clean_values(data)
        except ApplicationError as exc:
            errors.extend(exc.errors)
        if self._contacts_present:
            try:
                contacts = self._contacts(data)
            except ApplicationError as exc:
                errors.extend(exc.errors)
        if values is not None:
            code = values.get("credit_code")
            if code and code in self._existing:
                errors.append(ErrorItem("credit_code", "duplicate", _("{m}（{name}）").format(
                    m=self._taken_message, name=self._existing[code])))
            region = values.get("region")
            if region is not None and not self.in_scope(region):
                errors.append(self.scope_error(region))
        if errors:
            raise ApplicationError(errors=errors)
        quals = values.pop("qualifications", None) or []
        terms = values.pop("tech_fields", None) or []
        for key in CONTACT_KEYS:
            values.pop(key, None)
        values.pop("region_name", None)
        org = self.instance(values)
        return org, {"tech_fields": self.unique_pks(terms)}, quals, contacts

    def _contacts(self, data: dict) -> list[Contact]:
        columns = [_split_list(data.get(k)) if not _is_blank(data.get(k)) else [] for k in CONTACT_KEYS]
        if not any(columns):
            return []
        out, errors = [], []
        for n, (name, title, phone, email) in enumerate(zip_longest(*columns, fillvalue=""), start=1):
            if not (name or title or phone or email):
                continue
            if not name:
                errors.append(ErrorItem("contact_name", "required", _("第 {n} 个联系人缺少姓名").format(n=n)))
                continue
            contact = Contact(name=name, title=title, phone=phone, email=email)
            for key, attr in (("contact_name", "name"), ("contact_title", "title"), ("contact_phone", "phone"),
                              ("contact_email", "email")):
                value = getattr(contact, attr)
                if key in self.personal_keys and "*" in value:
                    errors.append(ErrorItem(key, "masked_value", _("是脱敏后的数据（含 *），不能导入，请填写完整信息")))
                    continue
                if value:
                    try:
                        Contact._meta.get_field(attr).run_validators(value)
                    except ValidationError as exc:
                        errors.append(ErrorItem(key, "invalid", first_validation_message(exc)))
            out.append(contact)
        if errors:
            raise ApplicationError(errors=errors)
        return out

    def write(self, cleaned):
        orgs = [row[0] for row in cleaned]
        Organization.objects.bulk_create(orgs, batch_size=BATCH_SIZE)
        self.write_m2m([(row[0], row[1]) for row in cleaned])
        quals = [Qualification(organization_id=org.pk, **q) for org, _m, qs, _c in cleaned for q in qs]
        Qualification.objects.bulk_create(quals, batch_size=BATCH_SIZE)
        contacts = []
        for org, _m, _q, cs in cleaned:
            for contact in cs:
                contact.organization_id = org.pk
                contacts.append(contact)
        Contact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
        return [(Organization, orgs), (Qualification, quals)]


# People -------------------------------------------------------------------------------------------

@register_importer
class PersonImporter(RegistryImporter):
    kind = "people"
    label = gettext_lazy("人才")
    model = Person
    sheet_title = gettext_lazy("人才")
    m2m = ("tech_fields", "disciplines")
    personal_keys = frozenset({"id_number", "phone", "email"})
    scope_denied_message = gettext_lazy("无权在该区域登记人才")

    @classmethod
    def columns(cls) -> list[Column]:
        f = cls.field_column
        kinds = _labels(PersonKind.choices)
        return [
            Column("id", _("编号"), importable=False, width=8),
            f("name", example=_("张伟"), help=_("同名的人可以重复导入")),
            f("gender", choices=_labels(Gender.choices), example=_("男")),
            f("kind", choices=kinds, help=_("从下拉列表选择"), example=kinds[0]),
            f("programmes", multiple=True, choices=_labels(TalentProgramme.choices), width=24,
              help=_("可多选，用逗号分隔"), example=_("领军人才,科技特派员")),
            f("title", example=_("教授级高级工程师")),
            f("organization", width=30, help=_("已登记单位的名称或统一社会信用代码；可不填"),
              example=_("郑州某某智能科技有限公司")),
            f("region", width=16, text=True,
              help=_("6 位行政区划代码，或名称/简称，如 410105、金水区、郑州高新区（见区划代码表）"),
              example="410105"),
            Column("region_name", _("区域名称"), importable=False, width=20),
            f("tech_fields", width=28, multiple=True,
              help=_("《国家重点支持的高新技术领域》代码，见“技术领域代码表”；多个用逗号分隔"), example="10101"),
            f("disciplines", width=24, multiple=True,
              help=_("学科分类与代码（GB/T 13745）代码，见“学科代码表”；多个用逗号分隔"), example="52020"),
            f("expertise", width=36),
            f("bio", width=40),
            f("broker_certificate_no", width=22, text=True, help=_("技术经纪人填写")),
            f("id_number", width=22, text=True,
              help=_("18 位居民身份证号，自动校验末位校验码；同一身份证号不能重复导入"), example="410105199001011234"),
            f("phone", width=16, text=True, example="13800138000"),
            f("email", width=24, example="zhangwei@example.cn"),
            f("notes", width=30, help=_("仅管理部门可见")),
        ]

    def code_tables(self) -> list[CodeTable]:
        return [_region_table(self.by), _term_table("hitech_domains", _("技术领域代码表")),
                _term_table("gbt13745", _("学科代码表"))]

    def converters(self) -> dict:
        return services._person_converters(regions=self.regions)

    def may_create_in(self, region) -> bool:
        return permissions.can_create_person_in(self.by, region)

    def prepare(self, rows) -> None:
        super().prepare(rows)
        self._file_errors = []

        def id_key(value):
            return cell_text(value).upper()

        numbers = sorted(self._duplicates(rows, "id_number", id_key, _("与第{row}行的身份证号重复")))
        self._existing_ids: set[str] = set()
        for i in range(0, len(numbers), LOOKUP_CHUNK):
            self._existing_ids.update(Person.objects.filter(id_number__in=numbers[i:i + LOOKUP_CHUNK])
                                      .values_list("id_number", flat=True))

    def clean(self, data: dict):
        values = self.clean_values(data)
        errors = []
        number = values.get("id_number")
        if number and number in self._existing_ids:
            errors.append(ErrorItem("id_number", "duplicate",
                                    _("身份证号 {n} 已在人才库中登记").format(n=mask("id_number", number))))
        region = values.get("region")
        if region is not None and not self.in_scope(region):
            errors.append(self.scope_error(region))
        if errors:
            raise ApplicationError(errors=errors)
        m2m = {name: self.unique_pks(values.pop(name, None) or []) for name in self.m2m}
        return self.instance(values), m2m

    def write(self, cleaned):
        people = [row[0] for row in cleaned]
        Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
        self.write_m2m(cleaned)
        return [(Person, people)]


# Platforms ----------------------------------------------------------------------------------------

@register_importer
class PlatformImporter(RegistryImporter):
    kind = "platforms"
    label = gettext_lazy("创新平台")
    model = Platform
    sheet_title = gettext_lazy("创新平台")
    m2m = ("tech_fields",)
    scope_denied_message = gettext_lazy("无权在该区域登记创新平台")

    @classmethod
    def columns(cls) -> list[Column]:
        f = cls.field_column
        kinds, levels = _labels(PlatformKind.choices), _labels(Level.choices)
        return [
            Column("id", _("编号"), importable=False, width=8),
            f("name", width=32, example=_("河南省智能传感工程技术研究中心")),
            f("kind", choices=kinds, help=_("从下拉列表选择"), example=kinds[1]),
            f("level", choices=levels, help=_("从下拉列表选择"), example=levels[1]),
            f("organization", width=30, help=_("已登记单位的名称或统一社会信用代码"),
              example=_("郑州某某智能科技有限公司")),
            f("region", required=False, width=16, text=True,
              help=_("不填时取依托单位的所在区域；可填 6 位代码或名称/简称（见区划代码表）"), example="410105"),
            Column("region_name", _("区域名称"), importable=False, width=20),
            f("tech_fields", width=28, multiple=True,
              help=_("《国家重点支持的高新技术领域》代码，见“技术领域代码表”；多个用逗号分隔"), example="10101"),
            f("recognised_on", help=_("日期，格式 YYYY-MM-DD，或 Excel 日期"), example="2021-12-20"),
            f("valid_until", help=_("不早于认定日期；长期有效可不填"), example="2026-12-19"),
            f("approval_document", width=24, example=_("豫科〔2021〕88号")),
            f("description", width=40),
            f("notes", width=30, help=_("仅管理部门可见")),
        ]

    def code_tables(self) -> list[CodeTable]:
        return [_region_table(self.by), _term_table("hitech_domains", _("技术领域代码表"))]

    def converters(self) -> dict:
        return services._platform_converters(regions=self.regions)

    def may_create_in(self, region) -> bool:
        return permissions.can_create_platform_in(self.by, region)

    def prepare(self, rows) -> None:
        super().prepare(rows)
        self._file_errors = []
        self._period_message = _constraint_message(Platform, "platform_valid_after_recognised")

    def clean(self, data: dict):
        values = self.clean_values(data)
        services._platform_region_default(values)
        errors = []
        start, end = values.get("recognised_on"), values.get("valid_until")
        if start is not None and end is not None and end < start:
            errors.append(ErrorItem("valid_until", "invalid_period", self._period_message))
        region = values.get("region")
        if region is not None and not self.in_scope(region):
            errors.append(self.scope_error(region))
        if errors:
            raise ApplicationError(errors=errors)
        terms = values.pop("tech_fields", None) or []
        return self.instance(values), {"tech_fields": self.unique_pks(terms)}

    def write(self, cleaned):
        platforms = [row[0] for row in cleaned]
        Platform.objects.bulk_create(platforms, batch_size=BATCH_SIZE)
        self.write_m2m(cleaned)
        return [(Platform, platforms)]


REGISTRIES = {"organizations": OrganizationImporter, "people": PersonImporter, "platforms": PlatformImporter}
