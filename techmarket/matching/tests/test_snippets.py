"""Highlighted, masked snippets (matching.snippets) and the “did you mean” distance (matching.suggest)."""
from __future__ import annotations

import unicodedata

from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from techmarket.matching.snippets import _normalized_with_map, highlight_html, snippet_html
from techmarket.matching.suggest import allowed_edits, edit_distance


class TestSnippetHtml:
    def test_short_text_is_whole_with_terms_marked(self):
        html = snippet_html("锂离子电池快速充电技术", ["锂离子电池", "充电"])

        assert isinstance(html, SafeString)
        assert html == "<mark>锂离子电池</mark>快速<mark>充电</mark>技术"

    def test_window_holds_the_most_terms(self):
        text = "引言部分。" * 40 + "本方法估计锂离子电池的SOC并优化快速充电。" + "结语部分。" * 40

        html = snippet_html(text, ["锂离子电池", "soc", "充电"], length=60)

        assert html.startswith("…本方法估计<mark>锂离子电池</mark>的<mark>SOC</mark>")
        assert "<mark>充电</mark>" in html and html.endswith("…")
        assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 62

    def test_matching_ignores_case_and_width(self):
        assert snippet_html("采用ＳＯＣ估计与Soc校正", ["soc"]) == "采用<mark>ＳＯＣ</mark>估计与<mark>Soc</mark>校正"

    def test_latin_terms_match_whole_words_only(self):
        assert snippet_html("detail of AI models", ["ai"]) == "detail of <mark>AI</mark> models"

    def test_overlapping_terms_give_one_mark(self):
        assert snippet_html("锂离子电池", ["离子", "电池", "锂离子电池"]) == "<mark>锂离子电池</mark>"

    def test_phone_and_id_number_are_masked_before_anything_else(self):
        text = "联系电话13812345678，身份证410105199001011234，邮箱 zhang.san@example.com"

        html = snippet_html(text, ["13812345678", "电话"])

        assert "13812345678" not in html and "410105199001011234" not in html
        assert "138****5678" in html and "4101**********1234" in html
        assert "zhang.san@" not in html and "zh***@example.com" in html
        assert "<mark>电话</mark>" in html

    def test_text_is_escaped(self):
        html = snippet_html("<script>alert(1)</script> 电池 & 储能", ["电池"])

        assert "<script>" not in html
        assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>电池</mark> &amp; 储能"

    def test_no_match_gives_the_beginning(self):
        html = snippet_html("甲" * 300, ["乙"], length=50)

        assert html == "甲" * 50 + "…"

    def test_empty_text(self):
        assert snippet_html(None, ["电池"]) == ""


class TestHighlightHtml:
    def test_whole_title_marked_escaped_and_masked(self):
        html = highlight_html("石墨烯<导热膜> 13812345678", ["石墨烯", "导热膜"])

        assert html == "<mark>石墨烯</mark>&lt;<mark>导热膜</mark>&gt; 138****5678"


class TestEditDistance:
    def test_distances(self):
        assert edit_distance("热失空", "热失控") == 1
        assert edit_distance("graphen", "graphene") == 1
        assert edit_distance("电池", "电池") == 0
        assert edit_distance("abcdef", "uvwxyz", limit=2) == 3  # stops early above the limit

    def test_long_words_allow_two_edits(self):
        assert allowed_edits("热失控") == 1
        assert allowed_edits("集成电路芯片制造") == 2
        assert allowed_edits("graphene") == 2


def _char_by_char(text: str) -> tuple[str, list[int]]:
    """The slow definition of the normalised text and its map, for comparison with the fast path."""
    out, origin = [], []
    for i, ch in enumerate(text):
        for part in (" " if ch.isspace() else unicodedata.normalize("NFKC", ch).casefold()):
            out.append(part)
            origin.append(i)
    return "".join(out), origin


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("锂离子电池ABCdefＡＢ１２３ 　\t\nßİﬁé\u0301ｶﾞ①㎏，。!?")), max_size=40))
def test_the_normalised_map_equals_the_character_by_character_definition(text):
    norm, origin = _normalized_with_map(text)
    assert (norm, list(origin)) == _char_by_char(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_the_normalised_map_equals_the_definition_on_any_text(text):
    # any code point: the NFKC/casefold shortcut and the table must both agree with the definition
    norm, origin = _normalized_with_map(text)
    assert (norm, list(origin)) == _char_by_char(text)
