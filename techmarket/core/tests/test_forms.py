"""The Python-rendered select gives the browser what Django's template-rendered one gives."""
from html.parser import HTMLParser

from django import forms

import pytest

from techmarket.core.forms import CachedChoicesSelect, FastDateInput, FastSelect, FastTextInput

CHOICES = [("", "全部"), ("郑州市", [("410100", "郑州市（全市）"), ("410105", "金水区")]), ("x", 'a<b&"c"')]


class _Options(HTMLParser):
    def __init__(self):
        super().__init__()
        self.items, self.group, self.select_attrs, self._open = [], None, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select_attrs = attrs
        elif tag == "optgroup":
            self.group = attrs["label"]
        elif tag == "option":
            self._open = [self.group, attrs["value"], "selected" in attrs, ""]

    def handle_endtag(self, tag):
        if tag == "optgroup":
            self.group = None
        elif tag == "option":
            self.items.append(tuple(self._open))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[3] += data


def _parse(html):
    parser = _Options()
    parser.feed(html)
    return parser.select_attrs, parser.items


def test_fast_select_matches_djangos_select():
    attrs = {"id": "id_region", "class": "form-select", "aria-invalid": "true"}
    for value in ("", "410105", "x", "nothing", None):
        fast = _parse(FastSelect(choices=CHOICES).render("region", value, attrs))
        django = _parse(forms.Select(choices=CHOICES).render("region", value, attrs))
        assert fast == django, value
    assert _parse(FastSelect(choices=CHOICES).render("region", "410105", attrs))[1][2] == (
        "郑州市", "410105", True, "金水区")


def test_cached_choices_select_writes_what_fast_select_writes_and_builds_once():
    built = []

    def build():
        built.append(1)
        return CHOICES

    attrs = {"id": "id_region", "class": "form-select"}
    for value in ("", "410105", "x", "nothing", None, "410105"):
        cached = CachedChoicesSelect("test-regions", build).render("region", value, attrs)
        assert cached == FastSelect(choices=CHOICES).render("region", value, attrs), value
    assert built == [1]


@pytest.mark.parametrize("value", ["", "12", 'a"<b&', None, 3])
@pytest.mark.parametrize("attrs", [{}, {"id": "id_p", "class": "form-control", "aria-invalid": "true"},
                                   {"required": True, "disabled": False, "placeholder": "元"}])
def test_fast_inputs_write_what_djangos_templates_write(value, attrs):
    pairs = [(FastTextInput(attrs={"inputmode": "decimal"}), forms.TextInput(attrs={"inputmode": "decimal"})),
             (FastDateInput(attrs={"type": "date"}), forms.DateInput(attrs={"type": "date"}))]
    for fast, django in pairs:
        assert fast.render("price_min", value, attrs) == django.render("price_min", value, attrs)
