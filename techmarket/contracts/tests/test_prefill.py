"""What a deal tells about its contract: category, name and the contract-statistics technology field."""
from __future__ import annotations

import pytest

from techmarket.contracts import prefill

from .factories import term


class TestCategoryCodeFor:
    @pytest.mark.parametrize(("mode", "ip", "expected"), [
        ("transfer", "01", "21"), ("transfer", "02", "21"), ("transfer", "03", "21"),
        ("transfer", "08", "23"), ("transfer", "04", "24"), ("transfer", "05", "25"), ("transfer", "06", "26"),
        ("transfer", "07", "29"), ("transfer", "09", "29"), ("transfer", "00", "29"), ("transfer", None, "29"),
        ("equity", "01", "21"),
        ("licence_exclusive", "01", "31"), ("licence_non_exclusive", "02", "31"),
        ("licence_exclusive", "08", "32"), ("licence_non_exclusive", "04", "39"), ("licence_exclusive", None, "39"),
        ("joint_development", "01", "12"),
        ("something_new", "01", None),
    ])
    def test_mode_and_ip_type_give_the_category(self, mode, ip, expected):
        assert prefill.category_code_for(transfer_mode=mode, ip_type_code=ip) == expected

    def test_every_code_it_gives_exists_in_the_shipped_category_list(self, db):
        codes = {prefill.category_code_for(transfer_mode=m, ip_type_code=i)
                 for m in prefill.KIND_BY_MODE for i in ("01", "04", "05", "06", "08", "09", None)}
        for code in codes:
            assert term("contract_category", code).level == 2


class TestContractNameFor:
    def test_transfer_and_licence_names(self):
        assert prefill.contract_name_for(title="铝合金制备方法", transfer_mode="transfer") == "《铝合金制备方法》技术转让合同"
        assert prefill.contract_name_for(title="铝合金制备方法", transfer_mode="licence_exclusive") == \
            "《铝合金制备方法》技术许可合同"

    def test_a_long_title_is_shortened_to_fit_the_name_field(self):
        name = prefill.contract_name_for(title="很" * 300, transfer_mode="transfer")
        assert len(name) <= 200 and name.endswith("…》技术转让合同")


class TestContractFieldFor:
    @pytest.mark.parametrize(("hitech", "expected"), [
        ("10", "01"),        # 电子信息 → 电子信息
        ("10101", "01"),     # 基础软件 (under 101 软件 under 10) → 电子信息
        ("108", "04"),       # 智能交通和轨道交通技术 lies under 10 but maps to 现代交通 on its own
        ("80705", "04"),     # 轨道车辆及关键零部件技术 (under 807) → 现代交通, not 先进制造 (80)
        ("80101", "02"),     # elsewhere in 先进制造
        ("602", "09"),       # 核能及氢能 → 核应用技术
        ("207", "10"),       # 农业生物技术 → 农业
        ("507", "11"),       # 城市管理与社会服务 → 城市建设与社会发展
        ("40108", "06"),     # 新材料
    ])
    def test_the_most_specific_mapping_wins(self, db, hitech, expected):
        assert prefill.contract_field_for(term("hitech_domains", hitech)).code == expected

    def test_an_unmapped_domain_gives_no_field(self, db):
        # 生物与新医药 (20) as a whole is not mapped: only its children 201–205 (→ 05) and 207 (→ 10) are.
        assert prefill.contract_field_for(term("hitech_domains", "20")) is None
        assert prefill.contract_field_for(None) is None

    def test_the_mapping_follows_the_bureaus_edits_of_the_taxonomy(self, db):
        # given the bureau maps 20 生物与新医药 to 生物医药和医疗器械 in the admin
        term("contract_field", "05").mapped_to.add(term("hitech_domains", "20"))
        # then
        assert prefill.contract_field_for(term("hitech_domains", "20")).code == "05"
