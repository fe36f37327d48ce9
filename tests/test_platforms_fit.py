"""Truncation (fit) never breaks a grapheme and ends at a word boundary; hashtag trimming; per-platform
variants (derive) always pass measure. Named cases first, then Hypothesis properties."""

from __future__ import annotations

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calcli.core.model import Platform
from calcli.planning.registry import COUNTS, Limit, load_registry
from calcli.planning.variants import ELLIPSIS, derive, fit, length, measure, normalise_tags

REG = load_registry()
YT, TT, IG, X, LI, FB = (
    Platform.YOUTUBE,
    Platform.TIKTOK,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.LINKEDIN,
    Platform.FACEBOOK,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
FLAGS = "\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea\U0001f1ef\U0001f1f5"  # FR DE JP
THUMBS = "\U0001f44d\U0001f3fb\U0001f44d\U0001f3fd\U0001f44d\U0001f3ff"
ACCENTS = "e\u0301" * 6 + "a\u0300\u0323" * 3  # combining acute; grave + dot below
DEVANAGARI = "क्षत्रिय नमस्ते"
HANGUL_JAMO = "\u1100\u1161\u11a8\u1102\u1165\u11ab\u1103\u1169"  # decomposed syllables: 3 + 3 + 2 jamo
HANGUL = "한국어 텍스트"


def clusters(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def is_grapheme_prefix(prefix: str, text: str) -> bool:
    """``prefix`` is the concatenation of the first k graphemes of ``text`` for some k."""
    acc = ""
    for g in [""] + clusters(text):
        acc += g
        if acc == prefix:
            return True
        if len(acc) > len(prefix):
            return False
    return False


def check_fit(text: str, lim: Limit) -> str:
    """The contract of ``fit``, asserted; returns the result."""
    out = fit(text, lim)
    assert length(out, lim) <= lim.max
    if length(text, lim) <= lim.max:
        assert out == text
        return out
    if length(ELLIPSIS, lim) > lim.max:
        assert out == ""
        return out
    assert out.endswith(ELLIPSIS), out
    kept = out[: -len(ELLIPSIS)]
    assert kept == kept.rstrip()
    assert text.startswith(kept)
    assert is_grapheme_prefix(kept, text), (kept, clusters(text))
    first = regex.match(r"\s*\S+", text)
    if first and length(first.group() + ELLIPSIS, lim) <= lim.max:
        rest = text[len(kept) :]
        assert rest[:1].isspace(), f"cut inside a word: {kept!r} | {rest[:10]!r}"
    return out


# ---------------------------------------------------------------- graphemes survive truncation


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize(
    "text",
    [FAMILY * 5, FLAGS * 2, THUMBS * 2, ACCENTS, DEVANAGARI, HANGUL_JAMO * 2, HANGUL, "क्ष" * 8],
    ids=["family-zwj", "flags", "skin-tones", "combining", "devanagari", "hangul-jamo", "hangul", "conjuncts"],
)
def test_fit_never_breaks_a_grapheme(text, count):
    for mx in range(1, length(text, Limit(max=1, count=count)) + 2):
        check_fit(text, Limit(max=mx, count=count))


def test_fit_family_emoji_is_kept_whole_or_dropped():
    lim = Limit(max=13, count="utf16")  # one family is 11 units, the ellipsis 1
    assert fit(FAMILY * 2, lim) == FAMILY + ELLIPSIS
    assert fit(FAMILY * 2, Limit(max=11, count="utf16")) == ELLIPSIS
    assert fit("Hi " + FAMILY * 2, Limit(max=8, count="chars")) == "Hi" + ELLIPSIS


def test_fit_flag_is_not_split_into_regional_indicators():
    out = fit(FLAGS, Limit(max=4, count="chars"))
    assert out == "\U0001f1eb\U0001f1f7" + ELLIPSIS  # FR kept, never half of DE


def test_fit_skin_tone_modifier_stays_with_its_emoji():
    out = fit(THUMBS, Limit(max=4, count="chars"))
    assert out == "\U0001f44d\U0001f3fb" + ELLIPSIS


def test_fit_combining_accent_stays_with_its_letter():
    text = "cafe\u0301 cafe\u0301"
    assert fit("e\u0301e\u0301e\u0301", Limit(max=3, count="chars")) == "e\u0301" + ELLIPSIS
    out = fit("cafe\u0301" * 3, Limit(max=5, count="chars"))
    assert out == "caf" + ELLIPSIS  # not "cafe" (the accent would be lost)
    assert fit(text, Limit(max=9, count="chars")) == "cafe\u0301" + ELLIPSIS


def test_fit_devanagari_and_hangul_clusters():
    assert fit("क्ष" * 3, Limit(max=4, count="chars")) == "क्ष" + ELLIPSIS
    assert fit(HANGUL_JAMO, Limit(max=5, count="chars")) == "\u1100\u1161\u11a8" + ELLIPSIS
    assert fit(HANGUL, Limit(max=5, count="chars")) == "한국어" + ELLIPSIS


def test_fit_cuts_at_the_last_word_boundary():
    lim = Limit(max=20, count="chars")
    text = "How we built it: behind the scenes"
    assert fit(text, lim) == "How we built it:" + ELLIPSIS
    assert fit("one two  three", Limit(max=10, count="chars")) == "one two" + ELLIPSIS
    # a first word too long for the limit is cut at a grapheme boundary
    assert fit("Supercalifragilistic word", Limit(max=6, count="chars")) == "Super" + ELLIPSIS


def test_fit_returns_empty_only_when_the_ellipsis_does_not_fit():
    assert fit("日本語", Limit(max=1, count="x-weighted")) == ""
    assert fit("abc", Limit(max=1, count="x-weighted")) == ""  # the ellipsis weighs 2 on X
    assert fit("abc", Limit(max=1, count="chars")) == ELLIPSIS


def test_fit_prepend_cluster_is_not_split():
    # "\u0600 " is one grapheme (a prepended mark takes the space): no cut can both keep whole graphemes
    # and end before that space, so only the grapheme rules are asserted here.
    text = "\u0600 abc"
    assert clusters(text)[0] == "\u0600 "
    out = fit(text, Limit(max=3, count="chars"))
    kept = out[: -len(ELLIPSIS)]
    assert out.endswith(ELLIPSIS) and len(out) <= 3
    assert is_grapheme_prefix(kept, text) and kept == kept.rstrip()


def test_fit_space_with_combining_mark_is_a_word_boundary():
    assert fit("ab \u0301cd ef", Limit(max=6, count="chars")) == "ab" + ELLIPSIS


# ---------------------------------------------------------------- hashtags


def test_normalise_tags():
    assert normalise_tags(["#launch", "launch", " Launch ", "la unch", "##bts", "#", "  ", "BTS", "new tag"]) == [
        "launch",
        "bts",
        "newtag",
    ]
    # NFC: a decomposed and a composed é are the same tag
    assert normalise_tags(["cafe\u0301", "caf\u00e9"]) == ["caf\u00e9"]


def test_hashtags_keep_the_first_and_drop_from_the_end_on_x():
    tags = [f"topic{i:02d}" for i in range(40)]  # 8 chars each: '#topicNN' and a space = 9
    v = derive(REG, X, "How we built it", "", tags)
    assert v.hashtags == tags[: len(v.hashtags)]
    assert 0 < len(v.hashtags) < 40
    assert v.caption == "How we built it " + " ".join("#" + t for t in v.hashtags)
    assert length(v.caption, REG.get(X).fields["caption"]) <= 280
    # one more tag would not have fitted
    more = v.caption + " #" + tags[len(v.hashtags)]
    assert length(more, REG.get(X).fields["caption"]) > 280


def test_long_title_on_x_keeps_three_tags_and_cuts_the_text():
    title = " ".join(["word"] * 80)  # 399 chars
    v = derive(REG, X, title, "", ["one", "two", "three", "four"])
    assert v.hashtags == ["one", "two", "three"]
    assert v.caption.endswith(ELLIPSIS + " #one #two #three") or v.caption.endswith(ELLIPSIS + "\n\n#one #two #three")
    assert length(v.caption, REG.get(X).fields["caption"]) <= 280


def test_instagram_respects_30_hashtags_and_normalises():
    raw = [f"#Tag{i}" for i in range(20)] + [f"tag{i}" for i in range(20)] + [f"new {i}" for i in range(20)]
    v = derive(REG, IG, "Title", "Body", raw)
    expect = [f"Tag{i}" for i in range(20)] + [f"new{i}" for i in range(10)]
    assert v.hashtags == expect
    by = {m.field: m for m in measure(REG, IG, v.title, v.caption)}
    assert by["hashtags"].length == 30 and by["hashtags"].ok


def test_variants_per_platform_shape():
    v = derive(REG, X, "How we built it", "", ["launch"])
    assert (v.title, v.caption, v.hashtags) == ("How we built it", "How we built it #launch", ["launch"])
    v = derive(REG, YT, "How we built it", "Behind the scenes.", ["#launch", "bts"])
    assert v.caption == "Behind the scenes. #launch #bts"
    v = derive(REG, TT, "How we built it", "Behind the scenes.", ["launch"])
    assert v.caption == "How we built it\n\nBehind the scenes.\n\n#launch"
    v = derive(REG, YT, "x" * 150, "", [])
    assert len(v.title) <= 100 and v.title.endswith(ELLIPSIS)


def test_instagram_hashtags_in_the_description_count_toward_30():
    desc = "Day one #a #b #c #d #e"
    v = derive(REG, IG, "Title", desc, [f"t{i}" for i in range(30)])
    assert all(m.ok for m in measure(REG, IG, v.title, v.caption))


def test_instagram_mentions_stay_within_20():
    desc = " ".join(f"@friend{i}" for i in range(21))
    v = derive(REG, IG, "Title", desc, [])
    assert all(m.ok for m in measure(REG, IG, v.title, v.caption))


def test_a_title_below_youtubes_minimum_is_named_so_the_planner_leaves_youtube_out():
    # derive cannot invent a title; the planner reports the video as not placed on YouTube instead
    from calcli.planning.variants import title_problem

    assert "shorter than youtube's minimum of 2" in title_problem(REG, YT, "A")
    assert title_problem(REG, YT, "Ab") is None


# ---------------------------------------------------------------- properties (Hypothesis)

SPECIAL = [
    FAMILY,
    "\U0001f1eb",
    "\U0001f1f7",
    "\U0001f44d",
    "\U0001f3fd",
    "\u200d",
    "\ufe0f",
    "\u20e3",
    "\u0301",
    "\u0323",
    "e",
    "क",
    "्",
    "ष",
    "\u1100",
    "\u1161",
    "\u11a8",
    "한",
    "日",
    "\U0001f431",
    "\u2764",
    " ",
    " ",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "https://example.com/path",
    "www.x.io",
    "#tag",
    "@user",
    ELLIPSIS,
    "\r\n",
]

# Prepend characters (U+0600 ...) and a whitespace grapheme carrying a combining mark are kept out of the generated
# texts: their own tests above pin how fit treats them.
_PREPEND = regex.compile(r"\p{Grapheme_Cluster_Break=Prepend}")
_general = st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(lambda c: not _PREPEND.match(c))
pieces = st.one_of(st.sampled_from(SPECIAL), st.text(_general, min_size=1, max_size=3))
texts = st.lists(pieces, max_size=40).map("".join)


def _no_marked_space(text: str) -> bool:
    return not any(g[0].isspace() and not g.isspace() for g in clusters(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=texts.filter(_no_marked_space), mx=st.integers(1, 60), count=st.sampled_from(COUNTS))
@example(text="How we built it " + FAMILY * 3, mx=20, count="utf16")
@example(text=FLAGS + " " + THUMBS, mx=5, count="chars")
@example(text="ab cd", mx=1, count="x-weighted")
def test_fit_properties(text, mx, count):
    check_fit(text, Limit(max=mx, count=count))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=texts.filter(_no_marked_space), count=st.sampled_from(COUNTS))
def test_fit_is_identity_at_the_exact_length(text, count):
    n = length(text, Limit(max=1, count=count))
    if n:
        assert fit(text, Limit(max=n, count=count)) == text


_tag = st.one_of(
    st.sampled_from(["launch", "#bts", " Launch ", "new tag", "日本", "café", FAMILY, "x" * 40]),
    st.text(_general, min_size=1, max_size=12),
)
_words = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(_general, min_size=1, max_size=12)), max_size=60).map(
    " ".join
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    platform=st.sampled_from(list(Platform)),
    title=st.one_of(_words, st.text(_general, max_size=400)).filter(lambda t: len(t.strip()) != 1),
    description=st.one_of(_words, st.just(""), st.text(_general, max_size=600)),
    tags=st.lists(_tag, max_size=40),
    repeat=st.integers(1, 12),
)
@example(platform=X, title="日" * 200, description="", tags=["a"] * 3, repeat=1)
@example(platform=YT, title="x" * 101, description="d " * 3000, tags=["t" * 30] * 20, repeat=1)
def test_derive_always_passes_measure(platform, title, description, tags, repeat):
    """Every field of every platform's variant is within its limit (one-character titles excluded: see the
    YouTube minimum test; #hashtags and @mentions inside a description: see the Instagram tests)."""
    description = description * repeat  # long descriptions reach the 2,000-5,000 limits
    if platform == IG:
        description = description.replace("#", "").replace("@", "").replace("＃", "").replace("＠", "")
        tags = [t.replace("@", "").replace("＠", "") for t in tags]
    v = derive(REG, platform, title, description, tags)
    bad = [m for m in measure(REG, platform, v.title, v.caption) if not m.ok]
    assert not bad, [(m.field, m.length, m.limit.max) for m in bad]
    assert v.hashtags == normalise_tags(tags)[: len(v.hashtags)], "tags are dropped from the end"
