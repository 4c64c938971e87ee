"""Forms shared by the apps' managed pages: the workflow action form of the "办理" panel, and how a
service's ApplicationError or PermissionDenied reaches a form or the 403 page.

Every workflow (``TRANSITIONS`` of core.workflows) takes the same input, a comment and, when the
transition needs one, a coded reason (SPEC B2), so the form is written once here.
"""
from __future__ import annotations

import html

from django import forms
from django.core.exceptions import PermissionDenied
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError


def _escape(value) -> str:
    """What Django's conditional_escape gives, without building a SafeString per piece."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class FastSelect(forms.Select):
    """A select whose options are written in Python rather than through Django's per-option templates.

    For the long region and technology-field lists (about 130 options) the template path costs more than
    the rest of the search page; this renders the same markup (option groups, ``selected``) in a fraction.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        # every piece of the options is escaped
        return format_html("<select{}>{}</select>", flatatt(final),
                           mark_safe(self.options_html(self.format_value(value))))  # noqa: S308

    def options_html(self, chosen) -> str:
        return options_markup(self.choices, set(chosen))


def options_markup(choices, chosen: set[str]) -> str:
    """The <option>/<optgroup> markup of ``choices``, the values in ``chosen`` marked selected."""
    def option(v, label) -> str:
        v = str(v)
        return f'<option value="{_escape(v)}"{" selected" if v in chosen else ""}>{_escape(label)}</option>'

    parts = []
    for value_, label in choices:
        if isinstance(label, (list, tuple)):
            inner = "".join(option(v, text) for v, text in label)
            parts.append(f'<optgroup label="{_escape(value_)}">{inner}</optgroup>')
        else:
            parts.append(option(value_, label))
    return "".join(parts)


class CachedChoicesSelect(FastSelect):
    """A ``FastSelect`` over a choice list kept per process (core.process_cache, e.g. the seed cities' regions):
    its options are written once per process and language, and a render only marks the chosen values (the
    search page's two long lists cost it a millisecond to rebuild and write on every request).

    ``build`` returns the choices; ``key`` names them in the process cache, which is cleared with the tables
    they come from."""

    def __init__(self, key: str, build, attrs=None):
        super().__init__(attrs)
        self.key, self.build = key, build

    def options_html(self, chosen) -> str:
        from django.utils.translation import get_language

        from . import process_cache

        html = process_cache.cached(f"options:{self.key}:{get_language()}",
                                    lambda: options_markup(self.build(), set()))
        for value in dict.fromkeys(chosen):
            plain = f'<option value="{_escape(value)}">'
            html = html.replace(plain, plain[:-1] + " selected>", 1)
        return html


class FastInputMixin:
    """An <input> written in Python, the same markup as Django's ``input.html`` template (which costs a
    template render per field: the search page's filters have four)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        # attributes in their order, True as a bare name, False left out (as django/forms/widgets/attrs.html)
        rest = "".join(f" {_escape(k)}" if v is True else f' {_escape(k)}="{_escape(v)}"'
                       for k, v in widget["attrs"].items() if v is not False)
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"],
                           format_html(' value="{}"', value) if value is not None else "", mark_safe(rest))


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class ActionForm(forms.Form):
    """One workflow action: a reason select when the transition needs a coded reason, and a comment."""

    reason_code = forms.ChoiceField(label=_("原因"), required=False)
    comment = forms.CharField(label=_("意见"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, action: str, spec, review: bool = False, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action, self.spec = action, spec
        if spec.reason_context:
            from techmarket.feedback.services import reason_codes_for

            self.fields["reason_code"].label = _("{action}原因").format(action=spec.label)
            self.fields["reason_code"].choices = [("", _("请选择原因"))] + [
                (r.code, r.label) for r in reason_codes_for(spec.reason_context)]
        else:
            del self.fields["reason_code"]
        if spec.comment_required:
            self.fields["comment"].required = True
        if spec.reason_context:
            self.fields["comment"].label = _("审核意见")
        elif review:
            self.fields["comment"].label = _("审核意见（可选）")
        else:
            self.fields["comment"].label = _("说明（可选）")


def add_service_errors(form, exc: ApplicationError, *, aliases: dict | None = None) -> list:
    """Put each error on its named field (None, or a field the form lacks → non-field error).

    Returns the items the form could not take (e.g. ``contacts.0.phone``) for the caller to place.
    """
    rest = []
    for item in exc.errors:
        name = (aliases or {}).get(item.field, item.field)
        if item.field and "." in item.field:
            rest.append(item)
        elif name in form.fields:
            form.add_error(name, item.message)
        else:
            form.add_error(None, item.message)
    return rest


def permission_message(exc: PermissionDenied) -> str:
    return str(exc) or str(_("您无权执行此操作"))


def clean_keeping_valid(clean, params: dict) -> tuple[dict, list[str]]:
    """``clean(**params)`` for a filter bar: when some parameters are bad, their Chinese messages are returned
    and the page is shown as if they had been left empty, instead of an error page."""
    try:
        return clean(**params), []
    except ApplicationError as exc:
        bad = {e.field for e in exc.errors}
        return clean(**{k: (None if k in bad else v) for k, v in params.items()}), [e.message for e in exc.errors]
