"""Forms of the event pages; every rule is in services.py (its messages land on the named fields)."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.permissions import is_region_staff
from techmarket.directory.forms import SEED_CITY_CODES, scoped_region_choices, seed_region_choices
from techmarket.regions.models import Region

from .choices import EventKind, EventStatus
from .models import MAX_ATTENDEES_PER_REGISTRATION
from .permissions import is_agency_user

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
ACHIEVEMENT_CHOICES_LIMIT = 300


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label, *, required: bool = True, help_text: str = ""):
    return forms.DateTimeField(label=label, required=required, help_text=help_text, widget=DateTimeInput(),
                               input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])


class EventForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200)
    kind = forms.ChoiceField(label=_("活动类型"), choices=EventKind.choices)
    summary = forms.CharField(label=_("活动简介"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("活动详情"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("议程、参会对象、交通等"))
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))
    registration_deadline = _datetime_field(_("报名截止时间"), required=False,
                                            help_text=_("为空表示活动开始前均可报名"))
    venue = forms.CharField(label=_("活动地点"), max_length=200)
    region = forms.ChoiceField(label=_("所在区域"))
    capacity = forms.IntegerField(label=_("名额（人）"), required=False, min_value=1,
                                  help_text=_("可报名的总人数，为空表示不限"))
    achievements = forms.MultipleChoiceField(label=_("展示成果"), required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 8}),
                                             help_text=_("路演、成果直通车展示的已发布成果（按住 Ctrl 多选）"))

    def __init__(self, data=None, *, user, event=None):
        initial = {}
        if event is not None:
            initial = {name: getattr(event, name) for name in ("title", "kind", "summary", "description", "venue",
                                                               "capacity")}
            for name in ("starts_at", "ends_at", "registration_deadline"):
                value = getattr(event, name)
                initial[name] = timezone.localtime(value) if value else None
            initial["region"] = event.region.code
            initial["achievements"] = [str(pk) for pk in event.achievements.values_list("pk", flat=True)]
        elif getattr(user, "region_id", None):
            initial["region"] = user.region.code
        super().__init__(data, initial=initial)
        staff = is_region_staff(user) and not is_agency_user(user)
        choices = scoped_region_choices(user) if staff else seed_region_choices()
        if event is not None and event.region.code not in {c for c, _l in _flatten(choices)}:
            choices = [(event.region.code, event.region.full_name)] + choices
        self.fields["region"].choices = [("", _("请选择"))] + choices
        self.fields["achievements"].choices = _achievement_choices(event)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["achievements"] = [int(pk) for pk in data.get("achievements") or []]
        return data


def _flatten(choices):
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield value, label


def _achievement_choices(event) -> list:
    from techmarket.achievements.models import Achievement
    from techmarket.achievements.selectors import public_filter

    rows = list(public_filter(Achievement.objects.select_related("owner_organization"))
                .order_by("-published_at", "-pk")[:ACHIEVEMENT_CHOICES_LIMIT])
    if event is not None:
        have = {a.pk for a in rows}
        rows += [a for a in event.achievements.select_related("owner_organization") if a.pk not in have]
    return [(str(a.pk), f"{a.title}（{a.owner_organization.name}）") for a in rows]


class RegistrationForm(forms.Form):
    attendee_name = forms.CharField(label=_("参会人"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=20,
                            help_text=_("仅主办方和管理部门用于活动联系，对外脱敏显示"),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    attendee_count = forms.IntegerField(label=_("参会人数"), min_value=1, max_value=MAX_ATTENDEES_PER_REGISTRATION,
                                        initial=1)
    note = forms.CharField(label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), required=False, choices=[("", _("全部"))] + EventKind.choices)
    city = forms.ChoiceField(label=_("城市"), required=False)

    def __init__(self, data=None):
        super().__init__(data)
        cities = Region.objects.filter(code__in=SEED_CITY_CODES).order_by("code")
        self.fields["city"].choices = [("", _("全部"))] + [(r.short_code, r.full_name) for r in cities]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ManageFilterForm(EventFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + EventStatus.choices)
