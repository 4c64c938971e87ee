from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SubscriptionSettingsForm(forms.Form):
    """Two check boxes per registered topic: in the inbox, in the daily e-mail digest."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for pref in preferences:
            self.fields[f"{pref.code}__in_app"] = forms.BooleanField(
                label=_("站内消息"), required=False, initial=pref.in_app)
            self.fields[f"{pref.code}__email"] = forms.BooleanField(
                label=_("邮件摘要"), required=False, initial=pref.email)

    def rows(self):
        for pref in self.preferences:
            yield {"preference": pref, "in_app": self[f"{pref.code}__in_app"], "email": self[f"{pref.code}__email"]}

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {p.code: (self.cleaned_data[f"{p.code}__in_app"], self.cleaned_data[f"{p.code}__email"])
                for p in self.preferences}
