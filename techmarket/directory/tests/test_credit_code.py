from hypothesis import given
from hypothesis import strategies as st

from techmarket.directory.credit_code import ALPHABET, check_character, credit_code_problem, is_valid, normalize

# Published codes of real organisations (public business registrations) — known-good check characters.
REAL_CODES = ["91110000802100433B", "91440300708461136T", "91350100M000100Y43"]


class TestCreditCodeCheck:
    def test_real_codes_are_valid(self):
        for code in REAL_CODES:
            assert is_valid(code), code

    def test_wrong_check_character_is_refused_with_the_expected_one(self):
        # given a real code with its last character changed
        code = REAL_CODES[0][:17] + "C"
        # when / then
        assert credit_code_problem(code) == "校验位错误（第 18 位应为 B）"

    def test_wrong_length_is_named(self):
        assert credit_code_problem("91110000802100433") == "应为 18 位，实际为 17 位"

    def test_forbidden_letters_are_named(self):
        problem = credit_code_problem("91110000802100433O")
        assert "O" in problem and "不使用" in problem

    def test_normalize_folds_full_width_and_case(self):
        assert normalize(" ９１１１００００８０２１００４３３ｂ ") == "91110000802100433B"

    @given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
    def test_any_body_with_its_check_character_is_valid(self, body):
        assert credit_code_problem(body[:2] + "410105" + body[8:17] + check_character(body[:2] + "410105" + body[8:17])) is None

    @given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
    def test_any_other_check_character_is_refused(self, body, last):
        body = body[:2] + "410105" + body[8:]
        if last != check_character(body):
            assert credit_code_problem(body + last) is not None
