from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techmarket.core.errors import ApplicationError
from techmarket.core.masking import mask_email, mask_id_number, mask_phone, mask_text
from techmarket.core.money import fen_to_yuan, wan_yuan_display, yuan_str, yuan_to_fen


class TestMoney:
    def test_yuan_string_to_fen_is_exact(self):
        assert yuan_to_fen("105000.00") == 10500000
        assert yuan_to_fen("0.1") == 10

    def test_more_than_two_decimals_is_refused_in_chinese(self):
        with pytest.raises(ApplicationError) as exc:
            yuan_to_fen("1.005", field="amount")
        assert exc.value.errors[0].field == "amount"
        assert "两位小数" in exc.value.errors[0].message

    def test_garbage_is_refused(self):
        with pytest.raises(ApplicationError):
            yuan_to_fen("一百元")

    @given(st.integers(min_value=0, max_value=10**15))
    def test_round_trip_fen_string_fen(self, fen):
        assert yuan_to_fen(yuan_str(fen)) == fen

    def test_json_representation_has_two_decimals(self):
        assert yuan_str(123450) == "1234.50"
        assert fen_to_yuan(5) == Decimal("0.05")

    def test_wan_yuan_is_display_only(self):
        assert wan_yuan_display(1_150_000_000_000) == "1,150,000.00 万元"  # 115 亿元


class TestMasking:
    def test_phone(self):
        assert mask_phone("13912345678") == "139****5678"

    def test_id_number(self):
        assert mask_id_number("410105198001011234") == "4101**********1234"

    def test_email(self):
        assert mask_email("zhangwei@example.cn") == "zh***@example.cn"

    def test_free_text_masks_phones_and_ids(self):
        text = "联系电话13912345678，身份证410105198001011234。"
        assert mask_text(text) == "联系电话139****5678，身份证4101**********1234。"

    @given(st.text(alphabet=st.sampled_from(list("0123456789１２Xx号电话 ,-")), max_size=60))
    def test_free_text_shortcut_masks_as_the_patterns_do(self, text):
        # the digit-run check only skips texts the two patterns would leave unchanged
        from techmarket.core.masking import _ID_RE, _PHONE_RE

        expected = _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3),
                                 _ID_RE.sub(lambda m: m.group(1) + "*" * 10 + m.group(3), text))
        assert mask_text(text) == expected
