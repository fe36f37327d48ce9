"""Cross-platform coordination: the limits registry, length counting and per-platform variants.

The seed's CrossPlatformCoordinator. One video becomes one post per platform,
each fitted to that platform: a title of at most 100 characters on YouTube, a
caption within X's weighted 280, at most 30 hashtags on Instagram. Texts are
cut at a word boundary with an ellipsis, never inside a grapheme (an emoji
with its modifiers, a flag, a letter with its accents).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

from calcli.core.model import Platform
from calcli.planning.registry import Limit, Registry

ELLIPSIS = "…"

_GRAPHEME = regex.compile(r"\X")
# A URL as X finds one: with a scheme or www., or a bare domain with a common top-level domain;
# punctuation that ends a sentence is not part of it (twitter-text's rules, simplified).
_TLDS = (
    "com|net|org|io|ly|co|be|me|tv|app|dev|gl|gd|to|us|uk|de|fr|es|it|nl|ca|au|jp|in|info|biz|xyz|"
    "link|news|blog|shop|site|online|ai|gg|fm|am|is|la|li|sh|so|st|vc|ws"
)
_URL = regex.compile(
    r"(?:https?://|www\.)[^\s]*[^\s.,;:!?'\")\]}…]"
    r"|(?<![\w@.#/])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + _TLDS + r")\b(?:/[^\s]*[^\s.,;:!?'\")\]}…])?",
    regex.I,
)
_HASHTAG = regex.compile(r"(?<![\w#])#(\w+)")
_MENTION = regex.compile(r"(?<![\w@])@(\w+)")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3|\ufe0f")
# X counts these code points 1 and every other 2 (twitter-text v3 configuration).
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_YOUTUBE, _X = Platform.YOUTUBE, Platform.X  # an Enum member's lookup costs more than a global's


# ---------------------------------------------------------------- loading


# ---------------------------------------------------------------- counting


def graphemes(text: str) -> list[str]:
    return _GRAPHEME.findall(text)


def length(text: str, limit: Limit) -> int:
    """The length of ``text`` as the platform counts it."""
    if limit.count == "utf16":
        # Only code points beyond U+FFFF take two UTF-16 units; ASCII text (most captions) has none.
        return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2
    if limit.count == "x-weighted":
        return x_weighted_length(text, limit.url_weight)
    return len(text)


def x_weighted_length(text: str, url_weight: int = 23) -> int:
    """X's weighted length: a URL counts ``url_weight``, an emoji 2, light code points 1, others 2
    (on the NFC form of the text, as X counts)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for m in _URL.finditer(text):
        total += _x_plain(text[pos : m.start()]) + url_weight
        pos = m.end()
    return total + _x_plain(text[pos:])


def _x_plain(text: str) -> int:
    total = 0
    for g in graphemes(text):
        if _EMOJI.search(g):
            total += 2
            continue
        for ch in g:
            cp = ord(ch)
            total += 1 if any(a <= cp <= b for a, b in _X_LIGHT) else 2
    return total


# ---------------------------------------------------------------- fitting


def fit(text: str, limit: Limit) -> str:
    """``text`` if it fits; else its longest prefix ending at a word boundary, plus an ellipsis.

    A first word too long for the limit is cut at a grapheme boundary instead.
    Never splits a grapheme. The result always fits (it is empty only when not
    even the ellipsis does).
    """
    if length(text, limit) <= limit.max:
        return text
    parts = graphemes(text)
    n = _longest_fitting_prefix(parts, limit)
    if n < len(parts) and not _blank(parts[n]):
        spaces = [i for i in range(1, n) if _blank(parts[i])]
        if spaces:
            n = spaces[-1]  # end at the last word boundary that fits
    while n and parts[n - 1][-1:].isspace():
        n -= 1  # trailing white space goes, a whole grapheme at a time (never half of one)
    candidate = "".join(parts[:n]) + ELLIPSIS
    return candidate if length(candidate, limit) <= limit.max else ""


def _blank(grapheme: str) -> bool:
    """A word boundary: a grapheme that starts with white space (a space may carry a combining mark)."""
    return grapheme[:1].isspace()


def _longest_fitting_prefix(parts: list[str], limit: Limit) -> int:
    """How many graphemes can stay so that they plus the ellipsis fit (binary search: length grows)."""
    lo, hi = 0, len(parts)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if length("".join(parts[:mid]) + ELLIPSIS, limit) <= limit.max:
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---------------------------------------------------------------- variants


@dataclass
class Variant:
    """One platform's post of one video."""

    platform: Platform
    title: str
    caption: str
    hashtags: list[str]


def normalise_tags(tags: list[str]) -> list[str]:
    """Tags without '#', spaces removed, duplicates (case-insensitive) dropped, order kept."""
    out, seen = [], set()
    for t in tags:
        tag = "".join(unicodedata.normalize("NFC", t).lstrip("#").split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            out.append(tag)
    return out


def derive(reg: Registry, platform: Platform, title: str, description: str, tags: list[str]) -> Variant:
    """The platform's title, caption and hashtags for a video, within every limit.

    >>> derive(load_registry(), Platform.X, "How we built it", "", ["launch"]).caption
    'How we built it #launch'
    """
    limits = reg.get(platform).fields
    tags = normalise_tags(tags) if tags else []
    title = title.strip()
    description = description.strip()
    title_limit = limits.get("title")
    title_text = fit(title, title_limit) if title_limit is not None and title else title
    if platform == _YOUTUBE:
        body = description
        if "tags_chars" in limits:
            tags = _tags_within(tags, limits["tags_chars"].max)
    elif platform == _X:
        body = title
    else:
        body = f"{title}\n\n{description}" if title and description else title or description
    if "mentions" in limits and "@" in body:
        body = _limit_marks(body, _MENTION, "@", limits["mentions"].max)
    if "hashtags" in limits:
        # Hashtags written in the text count too: beyond the limit they lose their '#' (the word stays).
        most = limits["hashtags"].max
        if "#" in body:
            body = _limit_marks(body, _HASHTAG, "#", most)
            inline = {t.lower() for t in _HASHTAG.findall(body)}
            tags = [t for t in tags if t.lower() not in inline][: max(most - len(inline), 0)]
        elif len(tags) > most:
            tags = tags[:most]
    cap = limits.get("caption")
    caption, kept = _caption(body, tags, cap) if cap else (_join(body, tags), tags)
    return Variant(platform, title_text, caption, kept)


def _limit_marks(text: str, pattern, mark: str, most: int) -> str:
    """Keep the first ``most`` #hashtags (or @mentions) of ``text``; the others lose their mark."""
    if text.count(mark) <= most:  # nothing to drop (most captions): skip the regex pass
        return text
    seen = 0

    def keep(m):
        nonlocal seen
        seen += 1
        return m.group(0) if seen <= most else m.group(0).replace(mark, "", 1)

    return pattern.sub(keep, text)


def title_problem(reg: Registry, platform: Platform, title: str) -> str | None:
    """Why ``title`` cannot be this platform's title (too short for its minimum), or None."""
    limit = reg.get(platform).fields.get("title")
    # No title at all is the publisher's to fill (titles are optional in bulk.json); a short one is wrong.
    if limit is not None and limit.min and title.strip() and length(title.strip(), limit) < limit.min:
        return f"the title {title.strip()!r} is shorter than {platform.value}'s minimum of {limit.min} characters"
    return None


def title_minimum_platforms(reg: Registry) -> set[Platform]:
    """The platforms whose title has a minimum length: the only ones :func:`title_problem` can object to."""
    return {p for p, pl in reg.platforms.items() if (limit := pl.fields.get("title")) is not None and limit.min}


def _join(body: str, tags: list[str]) -> str:
    if not tags:
        return body
    text = " ".join("#" + t for t in tags)
    if not body:
        return text
    if not text:
        return body
    sep = " " if "\n" not in body and len(body) < 120 else "\n\n"
    return body + sep + text


def _caption(body: str, tags: list[str], limit: Limit) -> tuple[str, list[str]]:
    """Body and hashtags within the limit: drop the least relevant hashtags first, then cut the body."""
    text = _join(body, tags)
    if length(text, limit) <= limit.max:  # everything fits (nearly always)
        return text, tags
    for k in range(len(tags) - 1, -1, -1):
        text = _join(body, tags[:k])
        if length(text, limit) <= limit.max:
            return text, tags[:k]
    keep = tags[: min(3, len(tags))]
    while keep:
        room = limit.max - length(_join("x", keep), limit) + 1
        if room >= 20:
            cut = fit(body, Limit(max=room, count=limit.count, url_weight=limit.url_weight))
            text = _join(cut, keep)
            if length(text, limit) <= limit.max:
                return text, keep
        keep = keep[:-1]
    return fit(body, limit), []


def _tags_within(tags: list[str], budget: int) -> list[str]:
    """YouTube tags: all together within ``budget`` characters (a tag with a space counts its quotes)."""
    out, used = [], 0
    for t in tags:
        cost = len(t) + (2 if " " in t else 0) + (1 if out else 0)
        if used + cost > budget:
            break
        out.append(t)
        used += cost
    return out


# ---------------------------------------------------------------- checking


@dataclass
class Measure:
    field: str
    label: str
    length: int
    limit: Limit

    @property
    def room(self) -> int:
        return self.limit.max - self.length

    @property
    def ok(self) -> bool:
        return self.room >= 0 and (self.limit.min is None or self.length >= self.limit.min or self.length == 0)


def measure(reg: Registry, platform: Platform, title: str, caption: str) -> list[Measure]:
    """Each limited field of a post with its length and the limit."""
    limits = reg.get(platform).fields
    out = []
    if "title" in limits and title:
        out.append(Measure("title", limits["title"].label or "title", length(title, limits["title"]), limits["title"]))
    if "caption" in limits and caption:
        lim = limits["caption"]
        out.append(Measure("caption", lim.label or "caption", length(caption, lim), lim))
    if "hashtags" in limits and caption:
        out.append(Measure("hashtags", "hashtags", len(_HASHTAG.findall(caption)), limits["hashtags"]))
    if "mentions" in limits and caption:
        out.append(Measure("mentions", "mentions", len(_MENTION.findall(caption)), limits["mentions"]))
    return out
