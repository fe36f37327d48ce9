"""``calcli platforms`` (the limits registry and formats) and ``calcli preview`` (variants)."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import cli, files, operations, planning
from calcli.cli.completion import complete_item, complete_platform
from calcli.cli.context import env, find_project
from calcli.cli.options import FormatOpt, JsonOpt, UserOpt, output_format, parse_platform
from calcli.cli.render import emit_rows
from calcli.core.errors import UsageError
from calcli.core.model import Platform

WEEKDAY_IDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def register(app: typer.Typer) -> None:
    app.command("platforms")(platforms)
    app.command("preview")(preview)


def platforms(
    ctx: typer.Context,
    platform: Annotated[
        str | None,
        typer.Argument(help="One platform in detail (youtube, tiktok, …).", autocompletion=complete_platform),
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the platform registry: formats (durations, aspect ratios, windows), text limits, daily caps,
    with the source and date of each value and how disagreements were settled.

    Example: calcli platforms x
    """
    e = env(ctx)
    try:
        timing_dir = find_project(e).timing_dir
    except Exception:  # noqa: BLE001 - outside a project the shipped registry is shown
        timing_dir = None
    chosen = [parse_platform(platform, "PLATFORM")] if platform else list(Platform)
    reg = planning.registry.load_registry(timing_dir)
    timing = files.timing.load_timing(timing_dir)
    rows = []
    for p in chosen:
        for f in timing.for_platform(p):
            rows += _format_rows(p, f, detail=bool(platform))
        rows += _limit_rows(p, reg.get(p))
    emit_rows(
        rows,
        ["platform", "item", "value", "counted", "source", "note"],
        output_format(fmt, as_json),
        title=f"Platform registry (checked {reg.checked})",
    )


def _row(p, item: str, value, counted: str, source, note: str) -> dict:
    return {"platform": p.value, "item": item, "value": value, "counted": counted, "source": source, "note": note}


def _format_rows(p, f, detail: bool) -> list[dict]:
    """A format of the timing data: its durations and aspects; in detail, its windows and frequency too."""
    dur = f"{f.min_duration:g}–{f.max_duration:g} s" if f.max_duration is not None else "any"
    aspects = (
        " or ".join(f.aspects)
        if f.aspects
        else (f"{f.aspect_range[0]:.2f}–{f.aspect_range[1]:.2f} (w/h)" if f.aspect_range else "any")
    )
    source = f.checked and f"timing_data/{p.value}.yaml ({f.checked})"
    rows = [_row(p, f"format {f.format}", f"{dur}; {aspects}", "", source, f.label)]
    if not detail:
        return rows
    for w in f.windows:
        days = ",".join(WEEKDAY_IDS[d] for d in sorted(w.days))
        end = "24:00" if w.end.hour == 0 and w.end.minute == 0 else f"{w.end:%H:%M}"
        value = f"{days} {w.start:%H:%M}-{end} score {w.score:g}"
        rows.append(_row(p, f"  window ({f.format})", value, "", f.sources.get(w.source, w.source), ""))
    fr = f.frequency
    value = f"{fr.min_per_week}-{fr.max_per_week} a week, {fr.max_per_day} a day"
    rows.append(_row(p, f"  frequency ({f.format})", value, "", "research guideline", ""))
    return rows


def _limit_rows(p, pl) -> list[dict]:
    """A platform's text limits and daily cap, each with its source and how it was settled."""
    rows = []
    for name, lim in pl.fields.items():
        value = lim.max if lim.min is None else f"{lim.min}–{lim.max}"
        counted = lim.count if name in ("title", "caption", "tags_chars") else "items"
        rows.append(_row(p, lim.label or name, value, counted, lim.source, _limit_note(lim)))
    if pl.posts_per_day:
        lim = pl.posts_per_day
        rows.append(_row(p, "posts a day", lim.max, "posts", lim.source, _limit_note(lim)))
    return rows


def _limit_note(lim) -> str:
    return "; ".join(x for x in (lim.note, lim.others and f"others: {lim.others}", lim.why and f"why: {lim.why}") if x)


def preview(
    ctx: typer.Context,
    item_id: Annotated[str | None, typer.Argument(help="An item id.", autocompletion=complete_item)] = None,
    video: Annotated[str | None, typer.Option("--video", help="Every post of this video, side by side.")] = None,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the per-platform posts of an item or a video: title, caption, hashtags, each with its
    limit and the room left.

    Example: calcli preview --video vj_001
    """
    if bool(item_id) == bool(video):
        raise typer.BadParameter("give an item id or --video VIDEO_JOB_ID")
    e = env(ctx)
    project = find_project(e)
    with operations.session.session(project, user) as s:
        items = [operations.lookup.find_item(s, item_id)] if item_id else s.store.items(video=video, user=s.user)
    if not items:
        raise UsageError(f"no items of video {video!r} for this user.")
    reg = planning.registry.load_registry(project.timing_dir)
    rows = [row for i in items for row in _variant_rows(reg, i)]
    out = output_format(fmt, as_json)
    if out != "table":
        emit_rows(rows, ["item", "platform", "field", "length", "limit", "counted", "room", "text"], out)
        return
    cli.tables.side_by_side(rows)


def _variant_rows(reg, i) -> list[dict]:
    """An item's title, caption and hashtags, each with its length, the platform's limit and the room left."""
    measures = {m.field: m for m in planning.variants.measure(reg, i.platform, i.title, i.caption or i.title)}
    rows = []
    for name, text in (("title", i.title), ("caption", i.caption or i.title)):
        m = measures.get(name)
        rows.append(
            {
                "item": i.id,
                "platform": i.platform.value,
                "field": m.label if m else name,
                "text": text,
                "length": m.length if m else len(text),
                "limit": m.limit.max if m else None,
                "counted": m.limit.count if m else "",
                "room": m.room if m else None,
            }
        )
    tags = measures.get("hashtags")
    rows.append(
        {
            "item": i.id,
            "platform": i.platform.value,
            "field": "hashtags",
            "text": " ".join("#" + t for t in i.hashtags),
            "length": len(i.hashtags),
            "limit": tags.limit.max if tags else None,
            "counted": "items",
            "room": (tags.limit.max - len(i.hashtags)) if tags else None,
        }
    )
    return rows
