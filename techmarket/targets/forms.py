from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .progress import today


class DecompositionForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("目标任务分解表（.xlsx）"),
                           help_text=_("第一列为县（市）区、开发区（可用简称，如“管城区”“郑州高新区”），其余各列为指标"))


class ReportForm(forms.Form):
    period = forms.CharField(label=_("期间"), max_length=10, help_text=_("2019、2019-Q3 或 2019-09"))
    format = forms.ChoiceField(label=_("格式"), choices=(("xlsx", "Excel (.xlsx)"), ("pdf", "PDF")))


class ReportedValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=None, empty_label=None)
    region = forms.ModelChoiceField(label=_("填报单位"), queryset=None, empty_label=None)
    as_of = forms.DateField(label=_("截至日期"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(label=_("数值"), max_length=30,
                            help_text=_("累加类指标填本年截至该日期的累计值；比重、总量类填最新值"))
    evidence = forms.FileField(label=_("佐证材料"), required=False,
                               help_text=_("PDF、图片、Word、Excel、OFD 或 ZIP"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    submit_now = forms.BooleanField(label=_("保存后直接报送市局"), required=False, initial=True)

    def __init__(self, *args, indicators, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["region"].queryset = regions
        self.fields["as_of"].initial = today()
