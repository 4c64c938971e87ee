"""The site search page /search/ (SPEC §2 X1): one box over achievements, demands, experts and organizations.

The page calls ``services.search`` (which checks every hit against the database for this reader), shows
each result with a highlighted, masked snippet, and offers “您是不是要找” when nothing is found. The
notices and policy documents the portal's title search used to find are a tab of the same page
(“通知公告与政策文件”), still limited to the visitor's city.

No query per result: ``services.search`` loads each record type in one query with its region, field and
organization; the people's and organizations' fields are prefetched in one query per type.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape  # Django's escape gives the same text, with a lazy-string check per call

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from techmarket.core.errors import ApplicationError
from techmarket.core.forms import (
    CachedChoicesSelect,
    FastDateInput,
    FastSelect,
    FastTextInput,
    add_service_errors,
)
from techmarket.portal.selectors import city_current

from . import services
from .models import DocType
from .snippets import highlight_html, record_snippet_text, record_title, snippet_html
from .suggest import did_you_mean

PAGE_SIZE = 20
NOTICE_TAB = "notice"
FILTER_FIELDS = ("type", "region", "field", "trl_min", "trl_max", "price_min", "price_max", "date_from", "date_to")
TRL_OPTIONS = [("", gettext_lazy("不限"))] + [(str(n), f"TRL{n}") for n in range(1, 10)]


def _region_choices() -> list:
    from techmarket.directory.forms import seed_region_choices

    return [("", _("全部区域"))] + seed_region_choices()


def _field_choices() -> list:
    from techmarket.directory.forms import hitech_field_choices

    return [("", _("全部领域"))] + hitech_field_choices()


class SearchForm(forms.Form):
    """Renders the box and the filters and carries the service's errors; the rules live in
    ``services.search_filters_clean`` (plain text fields, so only its Chinese messages are shown)."""

    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=services.MAX_QUERY_CHARS)
    type = forms.CharField(required=False, widget=forms.HiddenInput)
    region = forms.CharField(label=gettext_lazy("区域（含下级）"), required=False,
                             widget=CachedChoicesSelect("search-regions", _region_choices))
    field = forms.CharField(label=gettext_lazy("技术领域"), required=False,
                            widget=CachedChoicesSelect("search-fields", _field_choices))
    trl_min = forms.CharField(label=gettext_lazy("技术就绪水平不低于"), required=False,
                              widget=FastSelect(choices=TRL_OPTIONS))
    trl_max = forms.CharField(label=gettext_lazy("技术就绪水平不高于"), required=False,
                              widget=FastSelect(choices=TRL_OPTIONS))
    price_min = forms.CharField(label=gettext_lazy("价格/预算不低于（元）"), required=False,
                                widget=FastTextInput(attrs={"inputmode": "decimal"}))
    price_max = forms.CharField(label=gettext_lazy("价格/预算不高于（元）"), required=False,
                                widget=FastTextInput(attrs={"inputmode": "decimal"}))
    date_from = forms.CharField(label=gettext_lazy("发布日期自"), required=False,
                                widget=FastDateInput(attrs={"type": "date"}))
    date_to = forms.CharField(label=gettext_lazy("发布日期至"), required=False,
                              widget=FastDateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from techmarket.directory.forms import choice_values, region_choices_keeping, seed_region_choices
        from techmarket.regions.models import Region

        super().__init__(*args, **kwargs)
        asked = (self.data.get("region") or "").strip()
        if asked:
            regions = seed_region_choices()
            if asked not in choice_values(regions):
                # a region from a link, outside the seed cities: keep it selectable
                regions = region_choices_keeping(regions, Region.objects.filter(code=asked).first())
                self.fields["region"].widget = FastSelect(choices=[("", _("全部区域"))] + regions)

    def filter_fields(self):
        return [self[name] for name in FILTER_FIELDS if name != "type"]


def _search_form(data) -> SearchForm:
    form = SearchForm(data)
    form.is_valid()  # plain text fields: binds the data so the service's errors can be added
    return form


def filter_params(data) -> dict:
    """The filter parameters of a request (QueryDict or dict), with 2- and 4-digit region codes widened."""
    from techmarket.regions.selectors import normalize_code

    params = {name: data.get(name) for name in FILTER_FIELDS if data.get(name) not in (None, "")}
    if params.get("region"):
        params["region"] = normalize_code(params["region"])
    return params


def page_number(value, *, last: int = services.MAX_PAGE) -> int:
    """A page number from the query string: anything unreadable is page 1, beyond the end the last page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, last))


@dataclass
class ResultRow:
    """One result as the page shows it: type badge, highlighted title, snippet, region, field and facts.

    Its markup is written here (``{{ row }}`` in search.html) rather than in the template: a template loop
    over twenty rows of this size costs a search page about 1.5 ms, a tenth of what it may cost in all."""

    doc_type: str
    type_label: str
    url: str
    title_html: SafeString
    snippet_html: SafeString
    region: str
    field: str
    facts: list[str]
    public: bool

    def __html__(self) -> SafeString:
        # one f-string: format_html per piece cost as much as the template loop did
        e = html_escape  # title_html and snippet_html are already escaped and marked
        hidden = (f'<span class="badge text-bg-warning me-1" title="{e(_("仅所属单位和管理人员可见"))}">'
                  f'{e(_("未公开"))}</span>') if not self.public else ""
        snippet = (f'<p class="small mb-1 mt-1 text-body-secondary tm-snippet">{self.snippet_html}</p>'
                   if self.snippet_html else "")
        meta = "".join(f'<span><i class="bi bi-{icon} me-1"></i>{e(text)}</span>'
                       for icon, text in (("geo-alt", self.region), ("tags", self.field)) if text)
        meta += "".join(f"<span>{e(fact)}</span>" for fact in self.facts)
        return mark_safe(  # noqa: S308 (every piece is escaped above)
            f'<article class="tm-article-item tm-search-hit" data-type="{e(self.doc_type)}">'
            f'<div class="flex-grow-1 min-w-0"><div><span class="badge text-bg-light border me-1">'
            f'{e(self.type_label)}</span>{hidden}<a class="tm-article-title" href="{e(self.url)}">'
            f'{self.title_html}</a></div>{snippet}<div class="tm-meta small">{meta}</div></div></article>')

    __str__ = __html__


_PK_MARK = 9_876_543_210


class _RecordUrls(dict):
    """The URLs of result rows: each kind of URL is made once per process with a marker id, and each row's id is
    put in its place (twenty ``reverse()`` calls cost a search page half a millisecond, one a tenth of that).
    Achievements and demands give their own URLs (public page, or the managed view for records not yet public:
    only their owners and reviewers find those); people and organizations have their registry pages. The key
    holds what ``reverse()`` depends on besides the kind: the script prefix and the URL configuration."""

    def __missing__(self, key):
        doc_type, public, _prefix, _urlconf = key
        if doc_type in (DocType.ACHIEVEMENT, DocType.DEMAND):
            marked = services._models()[doc_type](pk=_PK_MARK)
            url = marked.get_absolute_url() if public else marked.get_manage_url()
        else:
            name = "person_detail" if doc_type == DocType.EXPERT else "organization_detail"
            url = reverse(f"directory:{name}", kwargs={"pk": _PK_MARK})
        self[key] = pattern = url.split(str(_PK_MARK))
        return pattern

    def url(self, doc_type: str, public: bool, pk: int) -> str:
        head, tail = self[(doc_type, public, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)]
        return f"{head}{pk}{tail}"


_ROW_URLS = _RecordUrls()


def _facts(doc_type: str, record, labels: dict) -> tuple[str, list[str]]:
    """(technology field, other short facts) of a record, from the fields loaded with it; ``labels``: the
    page's translated formats (``_fact_labels``)."""
    from techmarket.achievements.templatetags.market_ui import market_price

    if doc_type == DocType.ACHIEVEMENT:
        facts = [f"TRL{record.trl}", labels["price"].format(p=market_price(record)), record.owner_organization.name]
        return record.tech_field.name, facts
    if doc_type == DocType.DEMAND:
        facts = [labels["budget"].format(p=market_price(record)), record.owner_organization.name]
        return record.tech_field.name, facts
    fields = "、".join(t.name for t in list(record.tech_fields.all())[:3])
    if doc_type == DocType.EXPERT:
        organization = record.organization.name if record.organization else ""
        return fields, [record.get_kind_display(), record.title, organization]
    return fields, [record.get_kind_display()]


def _fact_labels() -> dict:
    return {"price": _("价格：{p}"), "budget": _("预算：{p}"),
            "types": {value: str(label) for value, label in DocType.choices}}


def result_rows(result: services.SearchPage) -> list[ResultRow]:
    hits = result.hits
    for doc_type in (DocType.EXPERT, DocType.ORGANIZATION):
        records = [h.record for h in hits if h.doc_type == doc_type]
        if records:
            prefetch_related_objects(records, "tech_fields")
    labels = _fact_labels()  # translated once per page, not per row
    urls = _ROW_URLS
    rows = []
    for hit in hits:
        record = hit.record
        field, facts = _facts(hit.doc_type, record, labels)
        public = record.is_public if hit.doc_type in (DocType.ACHIEVEMENT, DocType.DEMAND) else True
        rows.append(ResultRow(
            doc_type=hit.doc_type, type_label=labels["types"].get(hit.doc_type, hit.doc_type),
            url=urls.url(hit.doc_type, public, record.pk),
            title_html=highlight_html(record_title(hit.doc_type, record), result.terms),
            snippet_html=snippet_html(record_snippet_text(hit.doc_type, record), result.terms),
            region=record.region.name if record.region_id else "", field=field,
            facts=[f for f in facts if f], public=public))
    return rows


class _Counted:
    """``total`` items for the Paginator to count; the page's rows come from the engine, not from here."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return range(self.total)[key]  # placeholders, so that a page has a length (and is truthy)


def _tabs(request, current: str) -> list[dict]:
    tabs = [("", _("全部"))] + [(value, str(label)) for value, label in DocType.choices]
    tabs.append((NOTICE_TAB, _("通知公告与政策文件")))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("type", None)
    rest = params.urlencode()  # once for all the tabs, each adding its type
    out = []
    for value, label in tabs:
        url = "?" + "&".join(part for part in (rest, f"type={value}" if value else "") if part)
        out.append({"value": value, "label": label, "active": value == current, "url": url})
    return out


def _notices(q: str, city, *, page=None, limit: int | None = None):
    """The portal's notice and policy title search (the visitor's city): one page, or the first few and a count."""
    from techmarket.portal.selectors import article_search_preview, article_search_public

    if limit is not None:
        return article_search_preview(q=q, city=city, limit=limit)
    return Paginator(article_search_public(q=q, city=city), PAGE_SIZE).get_page(page), None


@require_GET
def search(request):
    data = request.GET
    q = (data.get("q") or "").strip()[:services.MAX_QUERY_CHARS]
    tab = (data.get("type") or "").strip()
    form_data = data.copy()
    if form_data.get("region"):  # ?region=4101 as in /city/4101/ links selects 410100
        form_data["region"] = filter_params({"region": form_data["region"]})["region"]
    params = filter_params(data)
    # Built only when the page shows it: a search without filters shows the filters every such search shows
    # (a fragment cached in _search_filters.html), and building the form cost it 0.15 ms.
    form = SimpleLazyObject(lambda: _search_form(form_data))
    city = city_current(request)
    context = {"form": form, "unfiltered": not any(name != "type" for name in params),
               "max_query_chars": services.MAX_QUERY_CHARS, "q": q, "tab": tab, "tabs": _tabs(request, tab),
               "notice_tab": NOTICE_TAB, "city": city, "result": None, "rows": [], "suggestion": None,
               "page_obj": None}

    if tab == NOTICE_TAB:  # the notices and policies of the visitor's city, by title or document number
        context["notices_page"] = _notices(q, city, page=data.get("page"))[0] if q else None
        return render(request, "matching/search.html", context)

    try:
        filters = services.search_filters_clean(params)
    except ApplicationError as exc:
        context["unfiltered"] = False
        add_service_errors(form, exc)
        # the alert names the field of each message (the message itself also sits under its field)
        labels = {name: str(field.label) for name, field in form.fields.items() if field.label}
        context["errors"] = [f"{labels[item.field]}：{item.message}" if item.field in labels else item.message
                             for item in exc.errors]
        return render(request, "matching/search.html", context)

    page = page_number(data.get("page"))
    result = services.search(q=q, user=request.user, filters=filters, page=page, page_size=PAGE_SIZE)
    if result.total and page > result.num_pages:  # past the end: show the last page
        page = result.num_pages
        result = services.search(q=q, user=request.user, filters=filters, page=page, page_size=PAGE_SIZE)
    countable = min(result.total, services.MAX_PAGE * PAGE_SIZE)
    context.update(
        result=result, rows=result_rows(result),
        page_obj=Paginator(_Counted(countable), PAGE_SIZE).get_page(page) if result.total else None,
        suggestion=did_you_mean(q, request.user, filters=filters) if q and not result.total else None,
        search_filtered=any(name != "type" for name in params),
    )
    if context["suggestion"]:
        again = data.copy()
        again.pop("page", None)
        again["q"] = context["suggestion"]
        context["suggestion_url"] = "?" + again.urlencode()
    if q and not tab:  # the first few notices and policies, with a link to their tab
        notices, notice_count = _notices(q, city, limit=5)
        context.update(notices=notices, notice_count=notice_count,
                       notice_url=next(t["url"] for t in context["tabs"] if t["value"] == NOTICE_TAB))
    return render(request, "matching/search.html", context)
