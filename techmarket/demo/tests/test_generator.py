"""The generated people hold a discipline of their own expertise (a search or a match that votes for a discipline
would otherwise find metals experts filed under 中医学与中药学)."""
import pytest

from techmarket.demo import generator as g
from techmarket.taxonomies.models import Term

pytestmark = pytest.mark.django_db


def test_every_expertise_maps_to_shipped_level_one_disciplines():
    level_one = dict(Term.objects.filter(scheme__code="gbt13745", level=1).values_list("code", "name"))
    assert set(g.EXPERTISE_DISCIPLINES) == set(g.EXPERTISE)
    for field_code, codes in g.EXPERTISE_DISCIPLINES.items():
        assert codes and set(codes) <= set(level_one), field_code
    assert [level_one[c] for c in g.EXPERTISE_DISCIPLINES["202"]] == ["中医学与中药学"]
    assert "中医学与中药学" not in {level_one[c] for c in g.EXPERTISE_DISCIPLINES["401"]}
