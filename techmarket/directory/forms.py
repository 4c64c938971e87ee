"""Forms of the registry pages: list filters, and the edit forms of the managed view.

The edit forms only shape input; every rule lives in services.py, whose ApplicationError
items are put back on the named fields (``add_service_errors``).
"""
from __future__ import annotations

from django import forms
from django.core.validators import validate_email
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.permissions import is_region_staff
from techmarket.core import process_cache
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import add_service_errors, permission_message  # noqa: F401  (used by every app's views)
from techmarket.core.masking import mask
from techmarket.regions.models import Region
from techmarket.regions.selectors import normalize_code, region_resolve
from techmarket.taxonomies.models import Term

from . import permissions
from .choices import Gender, Level, OrganizationKind, PersonKind, PlatformKind, QualificationKind, TalentProgramme
from .models.organizations import validate_credit_code

# The cities the platform was built for (SPEC header); their county-level units fill the region selects.
SEED_CITY_CODES = ["130100", "410100", "410600", "411600", "511900"]


# Choices ------------------------------------------------------------------------------------------

def _grouped_regions(regions) -> list:
    """Cities become option groups (the city itself first, as 全市), counties go under their city."""
    flat, groups, by_code = [], [], {}
    for region in regions:
        if region.level == Region.Level.CITY:
            options = [(region.code, _("{name}（全市）").format(name=region.full_name))]
            groups.append((region.full_name, options))
            by_code[region.code] = options
        elif region.parent_id and region.parent.code in by_code:
            by_code[region.parent.code].append((region.code, region.name))
        else:
            flat.append((region.code, region.full_name))
    return flat + groups


def _cached_choices(key: str, build) -> list:
    """A choice list kept per process (core.process_cache: building it costs more than the rest of a search
    page). Callers may extend the lists: they get copies of the outer list and of each group's options."""
    cached = process_cache.cached("choices:" + key, build)
    return [(value, list(label)) if isinstance(label, list) else (value, label) for value, label in cached]


def seed_region_choices() -> list:
    def build():
        regions = Region.objects.filter(Q(code__in=SEED_CITY_CODES) | Q(parent__code__in=SEED_CITY_CODES))
        return _grouped_regions(regions.select_related("parent", "parent__parent").order_by("code"))

    return _cached_choices("seed_regions", build)


def scoped_region_choices(user) -> list:
    """Units a staff member manages (their subtree); the seed cities for superusers and non-staff."""
    if not is_region_staff(user) or user.is_superuser or user.region_id is None:
        return seed_region_choices()
    regions = Region.objects.filter(path__startswith=user.region.path).select_related("parent", "parent__parent")
    return _grouped_regions(regions.order_by("code"))


def choice_values(choices) -> set[str]:
    values = set()
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            values |= {v for v, _l in label}
        else:
            values.add(value)
    return values


def region_choices_keeping(choices: list, region: Region | None) -> list:
    """Keep a record's current region selectable even when it lies outside the usual list."""
    if region is not None and region.code not in choice_values(choices):
        return [(region.code, region.full_name)] + choices
    return choices


def hitech_field_choices(*, extra_terms=()) -> list:
    """Top two levels of 国家重点支持的高新技术领域, grouped by domain; ``extra_terms`` keeps deeper current values."""
    groups = _cached_choices("hitech_fields", _hitech_field_groups)
    known = choice_values(groups)
    others = [(t.code, t.label) for t in extra_terms if t.code not in known]
    if others:
        groups.append((_("其他"), others))
    return groups


def _hitech_field_groups() -> list:
    terms = list(Term.objects.filter(scheme__code="hitech_domains", level__lte=2, is_active=True)
                 .order_by("sort_order", "code"))
    groups, by_pk = [], {}
    for term in terms:
        if term.level == 1:
            options = [(term.code, _("{name}（全部）").format(name=term.name))]
            groups.append((term.name, options))
            by_pk[term.pk] = options
    for term in terms:
        if term.level == 2 and term.parent_id in by_pk:
            by_pk[term.parent_id].append((term.code, term.name))
    return groups


def party_nature_choices() -> list:
    terms = Term.objects.filter(scheme__code="party_nature", is_active=True).order_by("sort_order", "code")
    return [("", "—")] + [(t.code, ("\u3000" if t.level > 1 else "") + t.name) for t in terms]


def industry_terms():
    return Term.objects.filter(scheme__code="gbt4754", is_active=True).order_by("sort_order", "code").only(
        "code", "name")


def _resolve_region(value: str) -> Region:
    try:
        return region_resolve(value, field=None)
    except ApplicationError as exc:
        raise forms.ValidationError(exc.errors[0].message) from exc


# Filters ------------------------------------------------------------------------------------------

class LenientSelect(forms.Select):
    """A single select that still accepts repeated values from links (?kind=a&kind=b)."""

    def value_from_datadict(self, data, files, name):
        return [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else data.get(name)


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("区域"), required=False)
    region_code = forms.CharField(label=_("区划代码"), required=False, max_length=40,
                                  help_text=_("6 位代码或名称，含下级区域"))
    field = forms.ChoiceField(label=_("技术领域"), required=False)

    def __init__(self, *args, region_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = region_choices if region_choices is not None else seed_region_choices()
        asked = self.data.get("region") if self.is_bound else None
        if asked and normalize_code(asked) != asked:  # ?region=4101 as in /city/4101/ links
            self.data = self.data.copy()
            self.data["region"] = asked = normalize_code(asked)
        if asked and asked not in choice_values(choices):
            found = Region.objects.filter(code=asked).first()
            choices = region_choices_keeping(choices, found)
        self.fields["region"].choices = [("", _("全部区域"))] + choices
        self.fields["field"].choices = [("", _("全部领域"))] + hitech_field_choices()

    def clean_region_code(self):
        value = self.cleaned_data["region_code"].strip()
        return _resolve_region(value).code if value else ""

    def filters(self) -> dict:
        """The selector keyword arguments of the valid inputs (an invalid one is shown, not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {"q": data.get("q") or None, "field": data.get("field") or None,
               "region": data.get("region_code") or data.get("region") or None}
        out.update(self.extra_filters(data))
        return out

    def extra_filters(self, data) -> dict:
        return {}


class OrganizationFilterForm(RegistryFilterForm):
    kind = forms.TypedMultipleChoiceField(label=_("单位类型"), required=False, widget=LenientSelect,
                                          choices=[("", _("全部类型"))] + OrganizationKind.choices)
    qualification = forms.ChoiceField(label=_("资质（有效期内）"), required=False,
                                      choices=[("", _("不限"))] + QualificationKind.choices)

    field_order = ["q", "region", "region_code", "kind", "qualification", "field"]

    def extra_filters(self, data) -> dict:
        return {"kind": data.get("kind") or None, "qualification": data.get("qualification") or None}


class PersonFilterForm(RegistryFilterForm):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别"))] + PersonKind.choices)
    programme = forms.ChoiceField(label=_("人才计划"), required=False,
                                  choices=[("", _("不限"))] + TalentProgramme.choices)

    field_order = ["q", "region", "region_code", "kind", "programme", "field"]

    def extra_filters(self, data) -> dict:
        return {"kind": data.get("kind") or None, "programme": data.get("programme") or None}


class PlatformFilterForm(RegistryFilterForm):
    kind = forms.ChoiceField(label=_("平台类型"), required=False,
                             choices=[("", _("全部类型"))] + PlatformKind.choices)
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部级别"))] + Level.choices)
    valid = forms.BooleanField(label=_("仅显示有效期内"), required=False)

    field_order = ["q", "region", "region_code", "kind", "level", "field", "valid"]

    def extra_filters(self, data) -> dict:
        return {"kind": data.get("kind") or None, "level": data.get("level") or None,
                "valid": bool(data.get("valid"))}


# Edit forms ---------------------------------------------------------------------------------------

class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegionFieldsMixin:
    """A select of the units in the user's scope plus a free code input; clean() resolves them to one code."""

    def _setup_region(self, user, current: Region | None, *, required: bool = True):
        choices = region_choices_keeping(scoped_region_choices(user), current)
        self.fields["region"].choices = [("", _("请选择"))] + choices
        self.fields["region"].required = False
        self._region_required = required
        if current is not None and not self.is_bound:
            self.initial["region"] = current.code

    def _clean_region(self, cleaned) -> Region | None:
        code = (cleaned.get("region_code") or "").strip()
        chosen = cleaned.get("region") or ""
        if self.fields["region"].disabled:
            return None
        if not code and not chosen:
            if self._region_required:
                self.add_error("region", _("请选择所在区域"))
            return None
        try:
            return _resolve_region(code or chosen)
        except forms.ValidationError as exc:
            self.add_error("region_code" if code else "region", exc)
            return None

    def _clean_region_in_scope(self, cleaned, *, allowed) -> None:
        """Resolve the region and refuse one the user may not put the record in (the services check
        the same rule; doing it here puts the message on the field instead of a 403 page)."""
        region = self._clean_region(cleaned)
        if region is not None and not allowed(region):
            self.add_error("region_code" if cleaned.get("region_code") else "region",
                           _("“{name}”不在您的管辖范围内").format(name=region.full_name))
        cleaned["region_resolved"] = region


class OrganizationForm(RegionFieldsMixin, forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40, validators=[validate_credit_code],
                                  help_text=_("18 位，含校验位（GB 32100-2015）"))
    kind = forms.ChoiceField(label=_("单位类型"), choices=[("", _("请选择"))] + OrganizationKind.choices)
    party_nature = forms.ChoiceField(label=_("单位性质"), required=False)
    region = forms.ChoiceField(label=_("所在区域"))
    region_code = forms.CharField(label=_("或填写区划代码"), required=False, max_length=40,
                                  help_text=_("不在列表中的区域可直接填写 6 位区划代码"))
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    website = forms.CharField(label=_("网站"), required=False, max_length=200,
                              widget=forms.URLInput(attrs={"placeholder": "https://"}))
    legal_representative = forms.CharField(label=_("法定代表人"), required=False, max_length=64)
    established_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    industry = forms.CharField(label=_("所属行业"), required=False, max_length=100,
                               widget=forms.TextInput(attrs={"list": "gbt4754-terms", "autocomplete": "off"}),
                               help_text=_("GB/T 4754-2017 行业代码，如 6513（应用软件开发），可输入代码或名称检索"))
    tech_fields = forms.MultipleChoiceField(label=_("技术领域"), required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks"}),
                                            help_text=_("国家重点支持的高新技术领域，可多选；选“（全部）”表示整个大类"))
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    notes = forms.CharField(label=_("内部备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("仅管理部门可见"))

    IDENTITY_FIELDS = ("credit_code", "kind", "region", "region_code")

    def __init__(self, *args, user, organization=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if organization is not None:
            initial = {**_organization_initial(organization), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.user, self.organization = user, organization
        self.fields["party_nature"].choices = party_nature_choices()
        current_fields = list(organization.tech_fields.all()) if organization is not None else []
        self.fields["tech_fields"].choices = hitech_field_choices(extra_terms=current_fields)
        self._setup_region(user, organization.region if organization is not None else None)
        if organization is not None and not permissions.can_edit_organization_identity(user, organization):
            for name in self.IDENTITY_FIELDS:
                self.fields[name].disabled = True
            self.fields["credit_code"].help_text = _("统一社会信用代码、单位类型和所在区域由管理部门修改")
        if not is_region_staff(user):
            del self.fields["notes"]

    def clean(self):
        cleaned = super().clean()
        org = self.organization
        self._clean_region_in_scope(cleaned, allowed=lambda region: (
            permissions.can_create_organization_in(self.user, region) if org is None
            else region.pk == org.region_id or permissions.region_in_staff_scope(self.user, region)))
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        out = {
            "name": data["name"], "party_nature": data["party_nature"] or None, "address": data["address"],
            "website": data["website"].strip(), "legal_representative": data["legal_representative"],
            "established_on": data["established_on"], "industry": data["industry"].strip() or None,
            "tech_fields": list(data["tech_fields"]), "description": data["description"],
        }
        if "notes" in self.fields:
            out["notes"] = data["notes"]
        if not self.fields["credit_code"].disabled:
            out.update({"credit_code": data["credit_code"], "kind": data["kind"],
                        "region": data["region_resolved"].code if data.get("region_resolved") else ""})
        return out


def _organization_initial(org) -> dict:
    return {
        "name": org.name, "credit_code": org.credit_code, "kind": org.kind,
        "party_nature": org.party_nature.code if org.party_nature_id else "",
        "address": org.address, "website": org.website, "legal_representative": org.legal_representative,
        "established_on": org.established_on, "industry": org.industry.code if org.industry_id else "",
        "tech_fields": [t.code for t in org.tech_fields.all()], "description": org.description,
        "notes": org.notes,
    }


def _small(**attrs):
    return forms.TextInput(attrs={"class": "form-control form-control-sm", **attrs})


class ContactForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("联系人"), required=False, max_length=64, widget=_small(**{"aria-label": _("联系人")}))
    title = forms.CharField(label=_("职务"), required=False, max_length=64, widget=_small(**{"aria-label": _("职务")}))
    phone = forms.CharField(label=_("电话"), required=False, max_length=40,
                            widget=_small(type="tel", **{"aria-label": _("电话")}))
    email = forms.CharField(label=_("电子邮箱"), required=False, max_length=254,
                            widget=_small(type="email", **{"aria-label": _("电子邮箱")}))

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        if value and "*" not in value:  # a masked stored value comes back with stars; the service keeps it
            validate_email(value)
        return value


class BaseContactFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


ContactFormSet = formset_factory(ContactForm, formset=BaseContactFormSet, extra=1, can_delete=True, max_num=50)


def contact_formset(data=None, *, organization=None, clear: bool = True):
    """Existing contacts as rows; phone and e-mail masked when the editor may not see them."""
    initial = []
    if organization is not None:
        for c in organization.contacts.all():
            initial.append({"id": c.pk, "name": c.name, "title": c.title,
                            "phone": c.phone if clear else mask("phone", c.phone),
                            "email": c.email if clear else mask("email", c.email)})
    return ContactFormSet(data, initial=initial, prefix="contacts")


def contacts_from_formset(formset, *, organization=None, clear: bool = True) -> tuple[list[dict], list]:
    """(rows for the service, the form of each row): kept masked values fall back to the stored ones."""
    stored = {c.pk: c for c in organization.contacts.all()} if organization is not None else {}
    rows, row_forms = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        if not any((data.get(k) or "").strip() for k in ("name", "title", "phone", "email")):
            continue
        row = {k: (data.get(k) or "").strip() for k in ("name", "title", "phone", "email")}
        original = stored.get(data.get("id"))
        if original is not None and not clear:
            for key in ("phone", "email"):
                if row[key] == mask(key, getattr(original, key)):
                    row[key] = getattr(original, key)
        rows.append(row)
        row_forms.append(form)
    return rows, row_forms


def place_contact_errors(items, row_forms, fallback_form) -> None:
    """``contacts.{i}.{field}`` items onto row i's field."""
    for item in items:
        parts = item.field.split(".")
        if len(parts) == 3 and parts[0] == "contacts" and parts[1].isdigit() and int(parts[1]) < len(row_forms):
            form = row_forms[int(parts[1])]
            form.add_error(parts[2] if parts[2] in form.fields else None, item.message)
        else:
            fallback_form.add_error(None, item.message)


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("资质类型"), choices=[("", _("请选择"))] + QualificationKind.choices)
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", "—")] + Level.choices)
    certificate_no = forms.CharField(label=_("证书编号"), required=False, max_length=64)
    recognised_on = forms.DateField(label=_("认定日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DateInput(),
                                  help_text=_("为空表示长期有效"))


class PersonForm(RegionFieldsMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", "—")] + Gender.choices)
    kind = forms.ChoiceField(label=_("类别"), choices=[("", _("请选择"))] + PersonKind.choices)
    programmes = forms.MultipleChoiceField(label=_("人才计划"), required=False, choices=TalentProgramme.choices,
                                           widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks-inline"}))
    title = forms.CharField(label=_("职称"), required=False, max_length=64)
    organization = forms.CharField(label=_("工作单位"), required=False, max_length=200,
                                   help_text=_("已登记单位的统一社会信用代码或全称"))
    region = forms.ChoiceField(label=_("所在区域"))
    region_code = forms.CharField(label=_("或填写区划代码"), required=False, max_length=40)
    tech_fields = forms.MultipleChoiceField(label=_("技术领域"), required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks"}),
                                            help_text=_("可多选；选“（全部）”表示整个大类"))
    disciplines = forms.CharField(label=_("学科"), required=False, max_length=500,
                                  help_text=_("GB/T 13745 学科代码或名称，多个用逗号分隔，如 520 计算机科学技术"))
    expertise = forms.CharField(label=_("研究方向/专长"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    bio = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    broker_certificate_no = forms.CharField(label=_("技术经纪人证书编号"), required=False, max_length=64)
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    phone = forms.CharField(label=_("手机号"), required=False, max_length=20)
    email = forms.CharField(label=_("电子邮箱"), required=False, max_length=254)
    notes = forms.CharField(label=_("内部备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("仅管理部门可见"))

    PERSONAL = ("id_number", "phone", "email")

    def __init__(self, *args, user, person=None, clear: bool = True, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if person is not None:
            initial = {**_person_initial(person, clear), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.user, self.person, self.clear = user, person, clear
        current_fields = list(person.tech_fields.all()) if person is not None else []
        self.fields["tech_fields"].choices = hitech_field_choices(extra_terms=current_fields)
        self._setup_region(user, person.region if person is not None else None)
        if not clear:
            for name in self.PERSONAL:
                self.fields[name].help_text = _("已脱敏显示；不修改则保留原值")
        if not is_region_staff(user):
            del self.fields["notes"]

    def clean(self):
        cleaned = super().clean()
        person = self.person
        self._clean_region_in_scope(cleaned, allowed=lambda region: (
            permissions.can_create_person_in(self.user, region) if person is None
            else region.pk == person.region_id or self.user.pk == person.user_id
            or permissions.region_in_staff_scope(self.user, region)))
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        out = {key: data[key] for key in ("name", "gender", "kind", "title", "expertise", "bio",
                                           "broker_certificate_no")}
        out.update({
            "programmes": list(data["programmes"]), "organization": data["organization"].strip() or None,
            "region": data["region_resolved"].code if data.get("region_resolved") else "",
            "tech_fields": list(data["tech_fields"]), "disciplines": data["disciplines"],
        })
        if "notes" in self.fields:
            out["notes"] = data["notes"]
        for key in self.PERSONAL:
            value = data[key].strip()
            if self.person is not None and not self.clear and value == mask(key, getattr(self.person, key)):
                continue  # the masked value came back unchanged: keep what is stored
            out[key] = value
        return out


def _person_initial(p, clear: bool) -> dict:
    return {
        "name": p.name, "gender": p.gender, "kind": p.kind, "programmes": list(p.programmes or []),
        "title": p.title, "organization": p.organization.credit_code if p.organization_id else "",
        "tech_fields": [t.code for t in p.tech_fields.all()],
        "disciplines": ", ".join(t.label for t in p.disciplines.all()),
        "expertise": p.expertise, "bio": p.bio, "broker_certificate_no": p.broker_certificate_no,
        "id_number": p.id_number if clear else mask("id_number", p.id_number),
        "phone": p.phone if clear else mask("phone", p.phone),
        "email": p.email if clear else mask("email", p.email),
        "notes": p.notes,
    }


class PlatformForm(RegionFieldsMixin, forms.Form):
    name = forms.CharField(label=_("平台名称"), max_length=200)
    kind = forms.ChoiceField(label=_("平台类型"), choices=[("", _("请选择"))] + PlatformKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=[("", _("请选择"))] + Level.choices)
    organization = forms.CharField(label=_("依托/运营单位"), max_length=200,
                                   help_text=_("已登记单位的统一社会信用代码或全称"))
    region = forms.ChoiceField(label=_("所在区域"))
    region_code = forms.CharField(label=_("或填写区划代码"), required=False, max_length=40,
                                  help_text=_("不填时取依托单位所在区域"))
    tech_fields = forms.MultipleChoiceField(label=_("技术领域"), required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks"}),
                                            help_text=_("可多选；选“（全部）”表示整个大类"))
    recognised_on = forms.DateField(label=_("认定日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DateInput(),
                                  help_text=_("为空表示长期有效"))
    approval_document = forms.CharField(label=_("认定文号"), required=False, max_length=100)
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    notes = forms.CharField(label=_("内部备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("仅管理部门可见"))

    def __init__(self, *args, user, platform=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if platform is not None:
            initial = {**_platform_initial(platform), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.user, self.platform = user, platform
        current_fields = list(platform.tech_fields.all()) if platform is not None else []
        self.fields["tech_fields"].choices = hitech_field_choices(extra_terms=current_fields)
        # On creation the region may be left empty: the service then takes the organization's.
        self._setup_region(user, platform.region if platform is not None else None, required=platform is not None)

    def clean(self):
        cleaned = super().clean()
        platform = self.platform
        self._clean_region_in_scope(cleaned, allowed=lambda region: (
            permissions.can_create_platform_in(self.user, region) if platform is None
            else region.pk == platform.region_id or permissions.region_in_staff_scope(self.user, region)))
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        out = {key: data[key] for key in ("name", "kind", "level", "recognised_on", "valid_until",
                                           "approval_document", "description", "notes")}
        out["organization"] = data["organization"].strip()
        out["tech_fields"] = list(data["tech_fields"])
        if data.get("region_resolved") is not None:
            out["region"] = data["region_resolved"].code
        return out


def _platform_initial(p) -> dict:
    return {
        "name": p.name, "kind": p.kind, "level": p.level, "organization": p.organization.credit_code,
        "tech_fields": [t.code for t in p.tech_fields.all()], "recognised_on": p.recognised_on,
        "valid_until": p.valid_until, "approval_document": p.approval_document, "description": p.description,
        "notes": p.notes,
    }
