import pytest

from techmarket.core.errors import ApplicationError
from techmarket.regions.models import Region
from techmarket.regions.selectors import RegionResolver, region_resolve

pytestmark = pytest.mark.django_db


class TestShippedDivisions:
    def test_counts_match_the_statistical_codes(self):
        assert Region.objects.filter(level=1).count() == 31
        assert Region.objects.filter(level=2).count() == 342
        # 2,978 county-level rows, less 东莞/中山/儋州 kept once as cities, plus 郑东新区
        assert Region.objects.filter(level=3).count() == 2976

    def test_zhengdong_is_a_local_unofficial_zone_of_zhengzhou(self):
        unit = Region.objects.get(code="410190")
        assert (unit.name, unit.parent.code, unit.is_zone, unit.is_official) == ("郑东新区", "410100", True, False)

    def test_statistical_zone_codes_are_flagged(self):
        assert Region.objects.get(code="410173").is_zone
        assert not Region.objects.get(code="410105").is_zone


class TestRegionResolve:
    @pytest.mark.parametrize(("text", "code"), [
        ("管城区", "410104"), ("管城回族区", "410104"), ("郑州高新区", "410172"), ("郑州经开区", "410171"),
        ("郑州航空港区", "410173"), ("郑东新区", "410190"), ("410105", "410105"), ("4101", "410100"),
        ("河南省郑州市金水区", "410105"), ("郑州市金水区", "410105"), ("金水", "410105"), ("　金水区 ", "410105"),
    ])
    def test_names_short_names_and_codes(self, text, code):
        assert region_resolve(text).code == code

    def test_ambiguous_name_lists_candidates(self):
        with pytest.raises(ApplicationError) as exc:
            region_resolve("鼓楼区")
        assert exc.value.errors[0].code == "ambiguous_region"
        assert "410204" in exc.value.errors[0].message

    def test_scope_resolves_an_otherwise_ambiguous_name(self):
        kaifeng = Region.objects.get(code="410200")
        assert region_resolve("鼓楼区", within=kaifeng).code == "410204"

    def test_unknown_name_names_the_field(self):
        with pytest.raises(ApplicationError) as exc:
            region_resolve("不存在区", field="所在区域")
        assert exc.value.errors[0].field == "所在区域"

    def test_bulk_resolver_memoizes_and_repeats_errors(self):
        resolve = RegionResolver()
        assert resolve("管城区") is resolve("管城区")
        for _ in range(2):
            with pytest.raises(ApplicationError):
                resolve("不存在区")


class TestSubtree:
    def test_zone_and_districts_sit_under_their_city(self):
        city = Region.objects.get(code="410100")
        inside = set(Region.objects.filter(path__startswith=city.path).values_list("code", flat=True))
        assert {"410100", "410105", "410190", "410173"} <= inside
        assert "410611" not in inside


class TestRegionApi:
    def test_children_of_a_city(self, client):
        body = client.get("/api/v1/regions?parent=4101").json()
        codes = [item["code"] for item in body["items"]]
        assert body["count"] == 16 and "410190" in codes
        zone = next(i for i in body["items"] if i["code"] == "410172")
        assert zone["is_zone"] and "郑州高新区" in zone["short_names"]

    def test_provinces_by_default(self, client):
        assert client.get("/api/v1/regions").json()["count"] == 31

    def test_unknown_parent_is_404(self, client):
        assert client.get("/api/v1/regions?parent=999999").status_code == 404


class TestTaxonomyApi:
    def test_csl_disciplines_map_to_gbt13745(self, client):
        body = client.get("/api/v1/taxonomies/csl_discipline?level=2&page_size=100").json()
        assert body["count"] == 67
        optics = next(i for i in body["items"] if i["name"] == "光学工程")
        assert {m["code"] for m in optics["mapped_to"]} == {"41620", "14030"}

    def test_contract_categories_keep_licensing_separate(self, client):
        names = {i["name"] for i in client.get("/api/v1/taxonomies/contract_category?level=1").json()["items"]}
        assert names == {"技术开发", "技术转让", "技术许可", "技术咨询", "技术服务"}

    def test_every_scheme_is_listed(self, client):
        schemes = {s["scheme"] for s in client.get("/api/v1/taxonomies").json()["items"]}
        assert {"hitech_domains", "gbt4754", "gbt13745", "csl_discipline", "contract_field", "contract_category",
                "party_nature", "ip_type", "plan_category", "trl"} <= schemes

    def test_unknown_scheme_is_404(self, client):
        assert client.get("/api/v1/taxonomies/nope").status_code == 404
