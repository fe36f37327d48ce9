"""The shortcuts of ``calcli.planning.variants`` give the long way's answers: UTF-16 length without encoding ASCII
text, a caption whose body and hashtags fit at once, a body of title and description when either is blank."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from calcli.core.model import Platform
from calcli.planning.registry import Limit, load_registry
from calcli.planning.variants import derive, length

REG = load_registry()
UTF16 = Limit(max=1, count="utf16")


@given(st.text())
def test_utf16_length_is_the_count_of_utf16_units(text):
    assert length(text, UTF16) == len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_utf16_length_of_ascii_and_astral_text():
    assert length("Video 5", UTF16) == 7
    assert length("Video \U0001f680", UTF16) == 8  # an emoji beyond U+FFFF is two units


def test_body_of_title_and_description_when_either_is_blank():
    tt = Platform.TIKTOK
    assert derive(REG, tt, " Title ", " Body ", []).caption == "Title\n\nBody"
    assert derive(REG, tt, "Title", "   ", []).caption == "Title"
    assert derive(REG, tt, "  ", "Body", []).caption == "Body"
    assert derive(REG, tt, "  ", "", []).caption == ""
    v = derive(REG, Platform.YOUTUBE, "   ", "", [])
    assert (v.title, v.caption, v.hashtags) == ("", "", [])


def test_each_variant_has_its_own_hashtag_list():
    tags = ["launch"]
    a = derive(REG, Platform.TIKTOK, "Title", "", tags)
    b = derive(REG, Platform.INSTAGRAM, "Title", "", tags)
    a.hashtags.append("changed")
    assert b.hashtags == ["launch"] and tags == ["launch"]
    assert (
        derive(REG, Platform.YOUTUBE, "Title", "", []).hashtags
        is not derive(REG, Platform.YOUTUBE, "T", "", []).hashtags
    )


def test_instagram_keeps_the_first_30_tags_when_the_text_has_none():
    tags = [f"t{i}" for i in range(35)]
    v = derive(REG, Platform.INSTAGRAM, "Title", "Body", tags)
    assert v.hashtags == tags[:30]
    assert v.caption == "Title\n\nBody\n\n" + " ".join("#" + t for t in tags[:30])
