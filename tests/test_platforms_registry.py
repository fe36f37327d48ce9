"""The platform registry (timing_data/limits.yaml), the three counting rules, every limit's boundary,
and the format mapping (choose_format) of all six platforms."""

from __future__ import annotations

import pytest

from calcli.core.model import Platform
from calcli.core.timing import aspect_value
from calcli.files.timing import load_timing
from calcli.planning.formats import choose_format
from calcli.planning.registry import Limit, load_registry
from calcli.planning.variants import ELLIPSIS, derive, fit, graphemes, length, measure, x_weighted_length

REG = load_registry()
TIMING = load_timing()
YT, TT, IG, X, LI, FB = (
    Platform.YOUTUBE,
    Platform.TIKTOK,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.LINKEDIN,
    Platform.FACEBOOK,
)

# ---------------------------------------------------------------- the registry's values

# platform, field, max, min, count rule
EXPECTED_FIELDS = [
    (YT, "title", 100, 2, "chars"),
    (YT, "caption", 5000, None, "chars"),
    (YT, "tags_chars", 500, None, "chars"),
    (TT, "caption", 2000, None, "utf16"),
    (IG, "caption", 2200, None, "utf16"),
    (IG, "hashtags", 30, None, "chars"),
    (IG, "mentions", 20, None, "chars"),
    (X, "caption", 280, None, "x-weighted"),
    (LI, "caption", 3000, None, "utf16"),
    (FB, "caption", 5000, None, "utf16"),
]
EXPECTED_CAPS = {YT: 100, TT: 15, IG: 50, X: 2400, LI: 150, FB: 30}


def test_registry_has_every_platform_and_its_check_date():
    assert set(REG.platforms) == set(Platform)
    assert REG.checked == "2026-11-01"


@pytest.mark.parametrize(("platform", "name", "mx", "mn", "count"), EXPECTED_FIELDS)
def test_registry_field_values(platform, name, mx, mn, count):
    lim = REG.get(platform).fields[name]
    assert (lim.max, lim.min, lim.count) == (mx, mn, count)
    assert lim.source, f"{platform.value}.{name} has no source"


def test_registry_has_no_field_the_table_does_not_know():
    listed = {(p, n) for p, n, *_ in EXPECTED_FIELDS}
    assert {(p, n) for p, pl in REG.platforms.items() for n in pl.fields} == listed


def test_registry_daily_caps_with_sources():
    assert REG.daily_caps() == EXPECTED_CAPS
    for p in Platform:
        assert REG.get(p).posts_per_day.source


@pytest.mark.parametrize(
    ("platform", "name", "in_others", "in_why"),
    [
        (TT, "caption", "2,200", "2,000"),
        (IG, "caption", "2,000", "Planoly"),
        (X, "caption", "25,000", "280"),
        (FB, "caption", "63,206", "5,000"),
    ],
)
def test_registry_records_disagreements(platform, name, in_others, in_why):
    lim = REG.get(platform).fields[name]
    assert in_others in lim.others
    assert in_why in lim.why


def test_registry_x_counts_urls_23():
    assert REG.get(X).fields["caption"].url_weight == 23


def test_registry_labels():
    assert REG.get(YT).fields["caption"].label == "description"
    assert REG.get(X).fields["caption"].label == "text"


# ---------------------------------------------------------------- counting rules

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man ZWJ woman ZWJ girl ZWJ boy
FLAG_FR = "\U0001f1eb\U0001f1f7"
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone modifier
E_ACUTE = "e\u0301"
CAT = "\U0001f431"  # outside the BMP
LONG_URL = "https://example.com/" + "a" * 400

# text, chars, utf16, x-weighted
COUNT_CASES = [
    ("", 0, 0, 0),
    ("hello", 5, 5, 5),
    ("héllo wörld", 11, 11, 11),
    ("日本語", 3, 3, 6),
    ("한국어", 3, 3, 6),
    ("привет", 6, 6, 6),  # Cyrillic is below U+10FF: 1 each on X
    (CAT, 1, 2, 2),
    ("\u263a", 1, 1, 2),  # an emoji inside the BMP
    (FAMILY, 7, 11, 2),
    (FLAG_FR, 2, 4, 2),
    (THUMB_MEDIUM, 2, 4, 2),
    ("\u2764\ufe0f", 2, 2, 2),  # heart + variation selector: one emoji
    (E_ACUTE, 2, 2, 1),  # X counts the NFC form: one é
    ("http://test.co", 14, 14, 23),
    ("Hi http://test.co", 17, 17, 26),
    (LONG_URL, len(LONG_URL), len(LONG_URL), 23),
    ("www.example.com/x", 17, 17, 23),
    ("a " + LONG_URL + " b", len(LONG_URL) + 4, len(LONG_URL) + 4, 27),
    ("x https://a.co y https://b.co", 29, 29, 2 + 23 + 3 + 23),
    ("Hi 日本 " + CAT + " https://x.io/" + "z" * 80, 101, 102, 3 + 4 + 1 + 2 + 1 + 23),
    ("\u2014\u2018\u2019\u201c\u201d", 5, 5, 5),  # General Punctuation ranges X counts 1
    ("\u2026", 1, 1, 2),  # the ellipsis itself counts 2 on X
]


@pytest.mark.parametrize(("text", "chars", "utf16", "weighted"), COUNT_CASES)
def test_length_per_counting_rule(text, chars, utf16, weighted):
    assert length(text, Limit(max=1, count="chars")) == chars
    assert length(text, Limit(max=1, count="utf16")) == utf16
    assert length(text, Limit(max=1, count="x-weighted")) == weighted


def test_x_weighted_url_weight_is_the_limits():
    assert length("see https://example.com/abc", Limit(max=1, count="x-weighted", url_weight=30)) == 4 + 30
    assert x_weighted_length("https://example.com", 0) == 0


def test_x_weighted_twitter_text_conformance_vectors():
    """Vectors from twitter-text's conformance/validate.yml (WeightedTweetsCounterTest)."""
    cjk = (
        "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
        "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
        "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
        "遥知兄弟登高处，遍插茱萸少一人。"
    )
    assert len(cjk) == 160
    assert x_weighted_length(cjk) == 320
    assert x_weighted_length("the" + cjk) == 323
    assert x_weighted_length("\U0001f637" * 160) == 320
    assert x_weighted_length("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9") == 10
    punct = (
        "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005\u2006"
        "\u2007\u2008\u2009\u200a\u200b\u200c\u200d ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷"
    )
    assert x_weighted_length(punct) == 112


def test_x_weighted_normalises_to_nfc_first():
    # twitter-text conformance: "'Á' is normalized into 1 char" -> weightedLength 2 for "ÁB" written decomposed
    assert x_weighted_length("A\u0301B") == 2


def test_x_weighted_keycap_is_one_emoji():
    assert x_weighted_length("1\ufe0f\u20e3") == 2


def test_x_weighted_url_trailing_punctuation_is_not_part_of_the_url():
    # twitter-text ends a URL before trailing punctuation: "Watch https://youtu.be/abc." is 6 + 23 + 1
    assert x_weighted_length("Watch https://youtu.be/abc.") == 30


def test_x_weighted_url_without_scheme_counts_23():
    # twitter-text conformance: "t.co", "example.com", "foo.co.jp" are valid URLs without protocol
    assert x_weighted_length("go to bit.ly/abc") == 6 + 23


# ---------------------------------------------------------------- every limit's boundary

# Filler units per counting rule: each is one word and its cost under that rule.
UNITS = {
    "chars": [("ab\U0001f600", 3), ("日本", 2), ("e\u0301", 2)],  # an emoji is 1 code point
    "utf16": [("ab\U0001f600", 4), ("日本", 2), (FLAG_FR, 4)],  # an emoji outside the BMP is 2
    "x-weighted": [("ab", 2), ("日本", 4), (FAMILY, 2), ("https://example.com/" + "p" * 60, 23)],
}


def text_of_length(target: int, count: str) -> str:
    """A text of words and spaces whose length under ``count`` is exactly ``target``; it ends in 'a's."""
    lim = Limit(max=10**9, count=count)
    parts: list[str] = []
    units = UNITS[count]
    i = 0
    while True:
        unit, cost = units[i % len(units)]
        candidate = " ".join([*parts, unit])
        if length(candidate, lim) + 6 > target:
            break
        parts.append(unit)
        i += 1
    text = " ".join(parts) + " "
    text += "a" * (target - length(text, lim))
    assert length(text, lim) == target
    return text


TEXT_FIELDS = [
    (p, name, lim) for p in Platform for name, lim in REG.get(p).fields.items() if name in ("title", "caption")
]


@pytest.mark.parametrize(("platform", "name", "lim"), TEXT_FIELDS, ids=[f"{p.value}-{n}" for p, n, _ in TEXT_FIELDS])
def test_text_limit_boundary(platform, name, lim):
    at = text_of_length(lim.max, lim.count)
    over = at + "a"
    assert length(at, lim) == lim.max
    assert length(over, lim) == lim.max + 1
    # measure: exactly at the limit is ok, one over is not
    title, caption = (at, "") if name == "title" else ("", at)
    (m,) = [m for m in measure(REG, platform, title, caption) if m.field == name]
    assert m.ok and m.room == 0
    title, caption = (over, "") if name == "title" else ("", over)
    (m,) = [m for m in measure(REG, platform, title, caption) if m.field == name]
    assert not m.ok and m.room == -1
    # fit: unchanged at the limit, cut one over (at the last word boundary, with an ellipsis)
    assert fit(at, lim) == at
    cut = fit(over, lim)
    assert cut != over
    assert cut.endswith(ELLIPSIS)
    assert length(cut, lim) <= lim.max
    kept = cut[: -len(ELLIPSIS)]
    assert over.startswith(kept)
    assert over[len(kept)] == " ", "cut at a word boundary"


@pytest.mark.parametrize("count", ["chars", "utf16", "x-weighted"])
@pytest.mark.parametrize("mx", [1, 2, 3, 10, 23, 24, 280])
def test_boundary_for_each_counting_rule_at_small_limits(count, mx):
    lim = Limit(max=mx, count=count)
    at = text_of_length(mx, count) if mx >= 10 else "a" * mx
    assert fit(at, lim) == at
    over = fit(at + "b", lim)
    assert over != at + "b"
    assert length(over, lim) <= mx


def test_utf16_emoji_boundary():
    lim = REG.get(TT).fields["caption"]  # 2,000 UTF-16 units
    assert fit(CAT * 1000, lim) == CAT * 1000
    cut = fit(CAT * 1001, lim)
    assert cut == CAT * 999 + ELLIPSIS  # 1998 + 1
    chars = Limit(max=2000, count="chars")
    assert fit(CAT * 2000, chars) == CAT * 2000  # one code point each


def test_x_weighted_boundary_latin_cjk_emoji_url():
    lim = REG.get(X).fields["caption"]
    assert fit("a" * 280, lim) == "a" * 280
    assert fit("日" * 140, lim) == "日" * 140
    assert fit("日" * 141, lim) == "日" * 139 + ELLIPSIS  # 278 + 2
    assert fit(FAMILY * 140, lim) == FAMILY * 140
    assert fit(FAMILY * 141, lim) == FAMILY * 139 + ELLIPSIS
    url_text = "a" * 256 + " " + LONG_URL  # 256 + 1 + 23
    assert length(url_text, lim) == 280
    assert fit(url_text, lim) == url_text
    assert fit("a" + url_text, lim) == "a" * 257 + ELLIPSIS


def test_youtube_title_min_is_measured():
    (m,) = measure(REG, YT, "a", "")
    assert not m.ok
    (m,) = measure(REG, YT, "ab", "")
    assert m.ok


def test_count_limits_hashtags_and_mentions_boundary():
    thirty = " ".join(f"#t{i}" for i in range(30))
    by = {m.field: m for m in measure(REG, IG, "", thirty)}
    assert by["hashtags"].length == 30 and by["hashtags"].ok
    by = {m.field: m for m in measure(REG, IG, "", thirty + " #t30")}
    assert by["hashtags"].length == 31 and not by["hashtags"].ok
    twenty = " ".join(f"@u{i}" for i in range(20))
    by = {m.field: m for m in measure(REG, IG, "", twenty)}
    assert by["mentions"].length == 20 and by["mentions"].ok
    by = {m.field: m for m in measure(REG, IG, "", twenty + " @u20")}
    assert by["mentions"].length == 21 and not by["mentions"].ok


def test_instagram_keeps_30_hashtags():
    tags = [f"tag{i}" for i in range(35)]
    v = derive(REG, IG, "Title", "", tags)
    assert v.hashtags == tags[:30]
    assert all(m.ok for m in measure(REG, IG, v.title, v.caption))


def test_youtube_tags_chars_boundary():
    # 50 tags of 9 chars + 49 commas between them = 499; one more char is 500 exactly
    tags = [f"tag{i:06d}" for i in range(50)]
    assert sum(map(len, tags)) + 49 == 499
    assert derive(REG, YT, "T", "", [*tags[:-1], tags[-1] + "x"]).hashtags == [*tags[:-1], tags[-1] + "x"]  # 500
    assert derive(REG, YT, "T", "", [*tags[:-1], tags[-1] + "xy"]).hashtags == tags[:-1]  # 501: last dropped


# ---------------------------------------------------------------- formats: choose_format

# platform, duration, aspect, expected format (None: fits nowhere), words the reason must contain
FORMAT_CASES = [
    # YouTube: Shorts up to 180 s vertical or square, else long-form
    (YT, 48, "9:16", "short", ()),
    (YT, 180, "9:16", "short", ()),
    (YT, 181, "9:16", "long", ()),
    (YT, 60, "1:1", "short", ()),
    (YT, 60, "16:9", "long", ()),
    (YT, 60, "4:5", "long", ()),
    (YT, 720, "16:9", "long", ()),
    (YT, 43200, "16:9", "long", ()),
    (YT, 43201, "16:9", None, ("43200 s", "180 s")),
    (YT, 0.5, "9:16", None, ("shorter", "1 s")),
    (YT, None, "9:16", "short", ()),
    (YT, None, "16:9", "long", ()),
    (YT, 100, None, "short", ()),
    (YT, 1000, None, "long", ()),
    (YT, None, None, "short", ()),
    (YT, 60, "1080:1920", "short", ()),
    # Instagram: reel (9:16, 4:5, 1:1) first, then feed (4:5 .. 1.91:1); both 3-900 s
    (IG, 30, "9:16", "reel", ()),
    (IG, 30, "4:5", "reel", ()),
    (IG, 30, "1:1", "reel", ()),
    (IG, 30, "16:9", "feed", ()),
    (IG, 30, "1.91:1", "feed", ()),
    (IG, 900, "16:9", "feed", ()),
    (IG, 3, "9:16", "reel", ()),
    (IG, 2, "9:16", None, ("shorter", "3 s")),
    (IG, 901, "9:16", None, ("longer", "900 s")),
    (IG, 30, "2.4:1", None, ("aspect range",)),
    (IG, 30, "1:2", None, ("1:2",)),
    (IG, None, "16:9", "feed", ()),
    (IG, 60, None, "reel", ()),
    # Facebook: reel 3-90 s 9:16, else video 1-14400 s any aspect
    (FB, 60, "9:16", "reel", ()),
    (FB, 90, "9:16", "reel", ()),
    (FB, 91, "9:16", "video", ()),
    (FB, 2, "9:16", "video", ()),
    (FB, 30, "16:9", "video", ()),
    (FB, 30, "1:1", "video", ()),
    (FB, 14400, "16:9", "video", ()),
    (FB, 14401, "16:9", None, ("14400 s",)),
    (FB, 0.5, None, None, ("shorter",)),
    (FB, None, "9:16", "reel", ()),
    (FB, 200, None, "video", ()),
    # TikTok: 3-600 s, 9:16 or 16:9
    (TT, 3, "9:16", "video", ()),
    (TT, 600, "16:9", "video", ()),
    (TT, 48, "9:16", "video", ()),
    (TT, 601, "9:16", None, ("600 s",)),
    (TT, 720, "16:9", None, ("600 s", "longer", "12 min")),
    (TT, 2.9, "9:16", None, ("shorter", "3 s")),
    (TT, 30, "1:1", None, ("9:16 or 16:9", "1:1")),
    (TT, 30, "4:5", None, ("4:5",)),
    (TT, None, "16:9", "video", ()),
    (TT, 100, None, "video", ()),
    (TT, None, "1:1", None, ("1:1",)),
    # X: 0.5-1200 s, 1:3 .. 3:1
    (X, 0.5, "1:3", "video", ()),
    (X, 1200, "3:1", "video", ()),
    (X, 0.4, "16:9", None, ("shorter", "0.5 s")),
    (X, 1201, "16:9", None, ("1200 s",)),
    (X, 30, "1:4", None, ("aspect range",)),
    (X, 30, "4:1", None, ("aspect range",)),
    (X, None, None, "video", ()),
    # LinkedIn: 3-1800 s, 1:2.4 .. 2.4:1
    (LI, 3, "1:2.4", "video", ()),
    (LI, 1800, "2.4:1", "video", ()),
    (LI, 2, "16:9", None, ("shorter", "3 s")),
    (LI, 1801, "16:9", None, ("1800 s",)),
    (LI, 60, "3:1", None, ("aspect range",)),
    (LI, 60, "1:3", None, ("aspect range",)),
    (LI, None, "9:16", "video", ()),
]


@pytest.mark.parametrize(
    ("platform", "duration", "aspect", "expected", "words"),
    FORMAT_CASES,
    ids=[f"{p.value}-{d}-{a}" for p, d, a, *_ in FORMAT_CASES],
)
def test_choose_format(platform, duration, aspect, expected, words):
    fmt, why = choose_format(TIMING, platform, duration, aspect)
    if expected is None:
        assert fmt is None
        for w in words:
            assert w in why, (w, why)
        if aspect:
            assert aspect in why
    else:
        assert fmt is not None and fmt.format == expected, why
        assert why == ""


def test_tiktok_12_minute_16x9_reason_text():
    fmt, why = choose_format(TIMING, TT, 720, "16:9")
    assert fmt is None
    assert why == "16:9, 12 min: longer than TikTok video's 600 s"


@pytest.mark.parametrize("platform", list(Platform))
def test_unknown_duration_and_aspect_never_rule_a_format_out(platform):
    fmts = TIMING.for_platform(platform)
    fmt, why = choose_format(TIMING, platform, None, None)
    assert fmt is fmts[0] and why == ""
    # each format, probed with a duration/aspect it takes, still fits when the other is unknown
    for f in fmts:
        dur = f.min_duration if f.min_duration is not None else 10
        aspects = list(f.aspects) or (["1:1"] if not f.aspect_range else [f"{f.aspect_range[0]}:1"])
        for a in aspects:
            assert choose_format(TIMING, platform, dur, None)[0] is not None
            assert choose_format(TIMING, platform, None, a)[0] is not None
            # and an unparseable aspect ratio is unknown, not a misfit
            assert choose_format(TIMING, platform, dur, "vertical")[0] is not None


def test_every_platform_has_formats_in_preference_order():
    assert [f.format for f in TIMING.for_platform(YT)] == ["short", "long"]
    assert [f.format for f in TIMING.for_platform(IG)] == ["reel", "feed"]
    assert [f.format for f in TIMING.for_platform(FB)] == ["reel", "video"]
    for p in (TT, X, LI):
        assert [f.format for f in TIMING.for_platform(p)] == ["video"]
    assert TIMING.warnings == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9:16", 9 / 16),
        ("16:9", 16 / 9),
        ("1.91:1", 1.91),
        ("1:2.4", 1 / 2.4),
        ("0:1", None),
        ("x", None),
        ("16x9", None),
        ("-1:1", None),
    ],
)
def test_aspect_value(text, value):
    got = aspect_value(text)
    assert got == pytest.approx(value) if value is not None else got is None


def test_graphemes_helper_matches_regex_x():
    import regex

    text = f"a{FAMILY}{FLAG_FR}{THUMB_MEDIUM}{E_ACUTE}क्षत्रिय\u1100\u1161\u11a8"
    assert graphemes(text) == regex.findall(r"\X", text)
    assert graphemes(text)[:5] == ["a", FAMILY, FLAG_FR, THUMB_MEDIUM, E_ACUTE]


def test_a_format_not_chosen_automatically_is_skipped():
    from dataclasses import replace

    from calcli.core.timing import TimingTable

    short, long = TIMING.for_platform(YT)
    table = TimingTable({**TIMING.formats, YT: [replace(short, auto=False), long]}, [])
    fmt, why = choose_format(table, YT, 48, "9:16")
    assert fmt.format == "long" and why == ""
    table = TimingTable({**TIMING.formats, YT: [replace(short, auto=False)]}, [])
    fmt, _ = choose_format(table, YT, 48, "9:16")
    assert fmt is None


def test_no_automatic_format_has_a_reason():
    from dataclasses import replace

    from calcli.core.timing import TimingTable

    short, _ = TIMING.for_platform(YT)
    table = TimingTable({**TIMING.formats, YT: [replace(short, auto=False)]}, [])
    fmt, why = choose_format(table, YT, 48, "9:16")
    assert fmt is None
    assert why.removeprefix("9:16, 48 s:").strip(), why


def test_a_platform_without_timing_data_gets_the_fallback_format():
    from calcli.core.timing import TimingTable

    table = TimingTable({p: f for p, f in TIMING.formats.items() if p != LI}, [])
    fmt, why = choose_format(table, LI, 99999, "10:1")  # the fallback takes any duration and aspect
    assert fmt is not None and fmt.fallback and fmt.format == "post" and why == ""
