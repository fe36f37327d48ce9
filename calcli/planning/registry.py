"""The platform registry (timing_data/limits.yaml): what one post may hold on each platform, and its daily cap."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from calcli.core.errors import Finding, InvalidInput
from calcli.core.model import Platform
from calcli.files.fields import Fields
from calcli.files.yamlio import compose

COUNTS = ("chars", "utf16", "x-weighted")


FIELDS = ("title", "caption", "tags_chars", "hashtags", "mentions")


LIMIT_KEYS = frozenset({"max", "min", "count", "url_weight", "source", "others", "why", "note", "label"})


@dataclass(frozen=True)
class Limit:
    """One limit of one platform field, with its provenance."""

    max: int
    min: int | None = None
    count: str = "chars"
    url_weight: int = 23
    source: str = ""
    others: str = ""
    why: str = ""
    note: str = ""
    label: str = ""


@dataclass
class PlatformLimits:
    platform: Platform
    posts_per_day: Limit | None = None
    fields: dict[str, Limit] = field(default_factory=dict)


@dataclass
class Registry:
    checked: str
    platforms: dict[Platform, PlatformLimits]

    def get(self, platform: Platform) -> PlatformLimits:
        return self.platforms.get(platform) or PlatformLimits(platform)

    def daily_caps(self) -> dict[Platform, int]:
        return {p: pl.posts_per_day.max for p, pl in self.platforms.items() if pl.posts_per_day}


def load_registry(project_timing_dir: Path | None = None) -> Registry:
    """The shipped registry with a project's ``timing_data/limits.yaml`` applied over it: a project
    value replaces that value only (setting ``max`` keeps the shipped counting rule and source)."""
    shipped = Path(str(resources.files("calcli.timing_data") / "limits.yaml"))
    findings: list[Finding] = []
    reg = _parse(shipped, findings, Registry("", {}))
    override = project_timing_dir / "limits.yaml" if project_timing_dir else None
    if override is not None and override.exists():
        reg = _parse(override, findings, reg)
    if findings:
        raise InvalidInput(findings)
    return reg


def _parse(path: Path, findings: list[Finding], base: Registry) -> Registry:
    doc = Fields(path, compose(path), findings)
    doc.unknown({"checked", "platforms"})
    reg = Registry(doc.str("checked", default="") or base.checked, dict(base.platforms))
    plats = doc.map("platforms", required=True)
    for name in plats.keys if plats else {}:
        try:
            platform = Platform.parse(name)
        except ValueError:
            plats.error(plats.keys[name][0], f"unknown platform {name!r}")
            continue
        p = plats.map(name)
        if p is None:
            continue
        p.unknown({"posts_per_day", "fields"})
        old = base.platforms.get(platform) or PlatformLimits(platform)
        pl = PlatformLimits(platform, old.posts_per_day, dict(old.fields))
        cap = p.map("posts_per_day")
        if cap:
            pl.posts_per_day = _limit(cap, old.posts_per_day) or pl.posts_per_day
        fields = p.map("fields")
        for fname in fields.keys if fields else {}:
            if fname not in FIELDS:
                fields.error(fields.keys[fname][0], f"unknown field {fname!r} (known: {', '.join(FIELDS)})")
                continue
            f = fields.map(fname)
            if f is not None:
                limit = _limit(f, old.fields.get(fname))
                if limit:
                    pl.fields[fname] = limit
        reg.platforms[platform] = pl
    return reg


def _limit(f: Fields, base: Limit | None = None) -> Limit | None:
    """A limit from its mapping; keys it leaves out come from ``base`` (the value it overrides)."""
    f.unknown(LIMIT_KEYS)
    mx = f.number("max", required=base is None, integer=True, minimum=1)
    mx = mx if mx is not None else (base.max if base else None)
    mn = f.number("min", integer=True, minimum=0)
    mn = mn if f.has("min") else (base.min if base else None)
    if mx is None:
        return None
    if mn is not None and mn > mx:
        f.error(f.node_of("min") or f.node, f"min {mn} is above max {mx}", "min")
        return None

    def text(key: str) -> str:
        return f.str(key, default="") or "" if f.has(key) else (getattr(base, key) if base else "")

    count = f.str("count", choices=COUNTS) if f.has("count") else (base.count if base else "chars")
    weight = f.number("url_weight", integer=True, minimum=0) if f.has("url_weight") else None
    return Limit(
        max=int(mx),
        min=int(mn) if mn is not None else None,
        count=count or "chars",
        url_weight=int(weight) if weight is not None else (base.url_weight if base else 23),
        source=text("source"),
        others=text("others"),
        why=text("why"),
        note=text("note"),
        label=text("label"),
    )
