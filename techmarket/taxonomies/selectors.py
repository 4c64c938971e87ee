from __future__ import annotations

from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError

from .models import Term


class TermResolver:
    """Finds active terms of one scheme by code or exact name; memoized for bulk imports."""

    def __init__(self, scheme: str):
        self.scheme = scheme
        self._by_key: dict[str, Term] | None = None

    def _load(self) -> dict[str, Term]:
        if self._by_key is None:
            terms = Term.objects.filter(scheme__code=self.scheme, is_active=True)
            index: dict[str, Term] = {}
            for t in terms:
                index.setdefault(t.name, t)
                index[t.code] = t
            self._by_key = index
        return self._by_key

    def __call__(self, value, *, field: str | None = None) -> Term:
        key = str(value).strip()
        term = self._load().get(key)
        if term is None and " " in key:  # "401 金属材料" as shown in templates
            term = self._load().get(key.split(" ", 1)[0])
        if term is None:
            raise ApplicationError(_("“{v}”不是有效的代码").format(v=value), field=field, code="unknown_term")
        return term

    def many(self, values, *, field: str | None = None) -> list[Term]:
        if isinstance(values, str):
            values = [v for v in values.replace("，", ",").replace("；", ",").replace(";", ",").split(",")]
        return [self(v, field=field) for v in values if str(v).strip()]


def term_descendant_ids(term: Term) -> list[int]:
    """The term and everything below it (taxonomies are at most 4 levels deep)."""
    ids, frontier = [term.pk], [term.pk]
    while frontier:
        frontier = list(Term.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids
