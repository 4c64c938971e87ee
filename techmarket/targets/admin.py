from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from techmarket.core.errors import ApplicationError

from .computations import computation_choices
from .models import Indicator, ProgressRule, ReportDispatch, ReportedValue, Target
from .services import clean_indicator


class IndicatorAdminForm(forms.ModelForm):
    computation = forms.ChoiceField(label="计算方法", required=False,
                                    choices=lambda: [("", "（县区填报）")] + computation_choices())

    class Meta:
        model = Indicator
        fields = "__all__"

    def clean(self):
        data = super().clean()
        obj = Indicator(**{k: v for k, v in data.items() if k in {f.name for f in Indicator._meta.fields}})
        try:
            clean_indicator(obj)
        except ApplicationError as exc:
            raise ValidationError([e.message for e in exc.errors]) from None
        data["params"] = obj.params
        return data


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = ("name", "city", "code", "unit", "kind", "source", "computation", "order", "is_active")
    list_filter = ("source", "kind", "city")
    search_fields = ("name", "code")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "region", "year", "value", "is_demo", "citation")
    list_filter = ("year", "is_demo", "indicator__city")
    search_fields = ("indicator__name", "region__name", "citation")


@admin.register(ReportedValue)
class ReportedValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "region", "year", "as_of", "value", "status")
    list_filter = ("status", "year")
    readonly_fields = ("status",)


admin.site.register(ProgressRule)
admin.site.register(ReportDispatch)
