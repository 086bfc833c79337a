"""How search reads Vietnamese words and queries (no database: the analyser's own rules)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.analysis import FOLDED_OUT, Analyser, indexed, written_out
from motcua.catalog.vietnamese import (
    Vocabulary,
    accent,
    normal,
    sound,
    syllables,
    telex,
    terms,
    typed_with_accents,
)
from motcua.common.text import fold_words

NAMES = [
    "Thủ tục đăng ký khai sinh",
    "Đăng ký thường trú",
    "Đăng ký tạm trú",
    "Xóa đăng ký thường trú",
    "Cấp thẻ căn cước cho người dưới 14 tuổi",
    "Đăng ký thành lập công ty TNHH hai thành viên trở lên",
    "Đăng ký biến động quyền sử dụng đất",
    "Đăng ký biện pháp bảo đảm bằng quyền sử dụng đất",
    "Cấp giấy phép xây dựng mới nhà ở riêng lẻ",
    "Hỗ trợ chi phí mai táng",
    "Thường trú cho người nước ngoài",
]


def analyser() -> Analyser:
    # Each name three times: "đăng" is then common, as in the catalog (over 1,000 names).
    return Analyser.build(Vocabulary.of(indexed(name) for name in NAMES * 3))


@given(st.text(max_size=60))
def test_syllables_fold_like_fold_words_with_one_spelling_of_i(text: str) -> None:
    assert syllables(text) == [normal(w) for w in fold_words(text).split()]


def test_both_spellings_of_i_and_both_tone_placements_are_one_word() -> None:
    assert syllables("đăng kí") == syllables("ĐĂNG KÝ") == ["dang", "ki"]
    assert syllables("quý") == ["qui"]
    assert accent("hoà") == accent("hòa") == "hoa2"
    assert accent("Biến") == "biên5" != accent("biện")
    assert accent("được") != accent("dược")


def test_a_text_is_indexed_under_its_syllables_and_adjacent_pairs() -> None:
    assert terms(["thuong", "tru"]) == ["thuong", "tru", "thuong_tru"]


def test_sounds_that_regions_merge_share_a_key() -> None:
    assert sound("tru") == sound("chu")
    assert sound("xe") == sound("se")
    assert sound("giay") == sound("day") == sound("ray")
    assert sound("phep") == sound("fep")
    assert sound("khai") != sound("tai")


def test_telex_marks_typed_as_letters_are_read() -> None:
    assert telex("ddawngf") == "dang"
    assert telex("kys") == "ki"
    assert typed_with_accents("Đăng ký")
    assert not typed_with_accents("dang ky")


def test_abbreviations_and_numbers_are_written_out_in_what_is_indexed() -> None:
    assert indexed("công ty TNHH 2 thành viên") == syllables(
        "công ty trách nhiệm hữu hạn hai thành viên"
    )
    assert written_out(["thue"], FOLDED_OUT) == ["thue"]


def test_question_words_and_politeness_are_not_searched() -> None:
    parsed = analyser().parse("Tôi muốn đăng ký tạm trú thì cần những gì ạ?")
    searched = [term for term in parsed.terms.folded if "_" not in term]
    assert searched == ["dang", "ki", "tam", "tru"]
    assert "tru_thi" in parsed.terms.folded  # a filler still joins its neighbour in a pair


def test_a_filler_typed_without_accents_is_kept_where_a_catalog_word_reads_the_same() -> None:
    # "đang" (filler) and "đăng" (register) fold alike: without accents "dang" is searched.
    assert "dang" in analyser().parse("dang ky tam tru").terms.folded
    assert "dang" not in analyser().parse("đang ở nhà").terms.folded


def test_people_words_are_read_in_the_catalog_wording() -> None:
    parsed = analyser().parse("nhập hộ khẩu")
    assert [r.meaning.folded[:4] for r in parsed.rewrites] == [["dang", "ki", "thuong", "tru"]]
    assert analyser().parse("birth registration").rewrites[0].meaning.folded[:4] == [
        "dang",
        "ki",
        "khai",
        "sinh",
    ]


def test_english_words_stay_vietnamese_in_a_vietnamese_query() -> None:
    parsed = analyser().parse("đăng ký cho con")  # "do", "to", "me" are Vietnamese too
    assert not parsed.rewrites


def test_slips_are_corrected_towards_what_names_use() -> None:
    reader = analyser()
    assert reader.parse("thuong chu").meant == ["thuong", "tru"]
    assert reader.parse("khai sinnh").meant == ["khai", "sinh"]
    assert reader.parse("ddawng kys khai sinh").meant == ["dang", "ki", "khai", "sinh"]
    assert not reader.parse("xyzzy qwerty").corrections
    assert not reader.parse("tam tru").corrections


@given(st.text(max_size=80))
def test_any_text_is_read_without_error(text: str) -> None:
    parsed = ANALYSER.parse(text)
    assert all(isinstance(term, str) and term for term in parsed.terms.folded)
    assert len(parsed.meant) == len(syllables(text))


ANALYSER = analyser()
