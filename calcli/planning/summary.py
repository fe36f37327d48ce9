"""The plan told at a glance: per platform the posts, their dates and the weekly goal; the wait from
ready to first post; series order; what was not placed, by reason (pure: lines of text)."""

from __future__ import annotations

import statistics

from calcli.planning.problem import PlanResult


def summary_lines(result: PlanResult, details: bool = False) -> list[str]:
    """The summary ``plan`` prints on stderr after its table; ``details`` adds each short week."""
    q = result.quality
    lines = ["Plan summary:"]
    by_platform: dict[str, list] = {}
    for item in result.items:
        by_platform.setdefault(item.platform.value, []).append(item.scheduled_at)
    weeks: dict[str, list] = {}
    for w in q.weeks if q else []:
        weeks.setdefault(w.platform.value, []).append(w)
    for name in sorted(set(by_platform) | set(weeks)):
        times = by_platform.get(name, [])
        text = f"  {name}: {len(times)} post(s)"
        if times:
            text += f", {min(times):%Y-%m-%d} to {max(times):%Y-%m-%d}"
        ws = weeks.get(name)
        if ws:
            needed = [w for w in ws if w.needed]
            short = [w for w in needed if w.short]
            text += f"; goal {ws[0].goal} a week: "
            if short:
                w = short[0]
                text += (
                    f"short in {len(short)} of {len(needed)} full week(s) with videos ready "
                    f"(e.g. {w.week[0]}-W{w.week[1]:02d}: {w.posts})"
                )
            elif needed:
                text += f"met in all {len(needed)} full week(s) with videos ready"
            else:
                text += "no full week needed it (the videos went out before one ended)"
            if len(ws) > len(needed):
                text += f"; {len(ws) - len(needed)} later week(s) had no video left"
        lines.append(text)
        if details and ws:
            lines += [f"    {w.week[0]}-W{w.week[1]:02d}: {w.posts} of {w.goal}: {w.reason}" for w in ws if w.short]
    if q and q.first_post_days:
        days = q.first_post_days
        lines.append(
            f"  ready to first post: median {statistics.median(days):.1f} day(s), longest {max(days):.1f} "
            f"({len(days)} video(s))"
        )
    if q:
        lines.append(f"  series order: {q.inversions} inversion(s)")
    reasons: dict[str, int] = {}
    for u in result.unplaced:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    if reasons:
        lines.append(f"  not placed: {len(result.unplaced)}")
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        lines += [f"    {n} × {why}" for why, n in (top if details else top[:3])]
        if not details and len(top) > 3:
            lines.append(f"    … {len(top) - 3} more reason(s): --details")
    return lines
