"""Best posting windows learned from the user's own numbers, blended with the research
baselines, and the planned posts that would move to them (``calcli optimize``).

The blend is empirical Bayes on the log scale. For each weekday × hour slot of a platform,
the average residual ``m`` of its ``n`` posts (each post's log metric minus its platform-and-
format mean, see :mod:`calcli.analytics.analysis`) is shrunk toward 0 — the research baseline — by
``τ² / (τ² + s² / n)``, where ``s`` is the spread of single posts and ``τ²`` the spread of true
slot effects, estimated from the slots themselves (method of moments, never below 0). A platform
learns only when one of its slots passes the family-wise evidence rule of ``analyze`` (else its
research windows stand: the best of many noisy slots always looks like something). With few
posts, or slots that differ no more than chance would make them, the shrunk effect is ~0 and
the research windows stand. A learned window's score is its research score times
``exp(shrunk effect)``, scaled so that a format's best window scores at most 1.

Moves are conservative: only ``planned`` posts (not approved ones), only later than their
current slot (calcli does not keep a video's ``ready_at``, and an earlier slot could come
before the video is ready), within a horizon (7 days by default), to the slot the planner
itself would give one more post (every cap, spacing, blackout, stagger and window rule holds;
one planner per calendar, so each move sees the ones before it), and only when the expected
gain from the user's data is at least ``min_gain``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from calcli import files, operations, planning
from calcli.analytics.claims import MIN_PLATFORM_POSTS, PlatformModel, platform_models, time_claims
from calcli.analytics.metrics import DEFAULT_METRIC
from calcli.core.model import (
    WEEKDAYS,
    ContentScheduleItem,
    Platform,
    PostFilter,
    ScheduleStatus,
    TimingWindow,
    VideoJob,
)
from calcli.core.times import now, zone
from calcli.core.timing import TimingTable
from calcli.files.timing import LEARNED_FILE, load_timing

DEFAULT_MIN_GAIN = 0.05
DEFAULT_HORIZON_DAYS = 7


@dataclass
class SlotEffect:
    posts: int
    raw: float  # mean residual of the slot's posts (log scale)
    shrunk: float  # pulled toward the research baseline


@dataclass
class PlatformLearning:
    platform: str
    posts: int
    sd: float
    tau: float  # spread of true slot effects (log scale); 0 = no slot differs beyond chance
    effects: dict[tuple[int, int], SlotEffect] = field(default_factory=dict)

    def effect(self, weekday: int, hour: int) -> float:
        e = self.effects.get((weekday, hour))
        return e.shrunk if e else 0.0


@dataclass
class LearnedWindow:
    platform: str
    format: str
    days: tuple[int, ...]
    start: time
    end: time
    prior: float
    score: float
    posts: int
    lift: float  # exp(shrunk effect) - 1


@dataclass
class Learned:
    """What ``calcli optimize`` learned; ``windows`` holds every format of the learned platforms."""

    metric: str
    learned_at: datetime
    platforms: dict[str, PlatformLearning]
    windows: dict[tuple[str, str], list[LearnedWindow]]

    def lift_at(self, platform: str, local: datetime) -> float:
        """The expected log effect of posting at ``local`` (the slot's shrunk effect; 0 unknown)."""
        p = self.platforms.get(platform)
        return p.effect(local.weekday(), local.hour) if p else 0.0

    def timing(self, base: TimingTable) -> TimingTable:
        """``base`` with the learned windows in place of the research ones."""
        formats = {}
        for platform, fmts in base.formats.items():
            formats[platform] = [
                dataclasses.replace(f, windows=_timing_windows(self.windows[(platform.value, f.format)]), learned=True)
                if (platform.value, f.format) in self.windows
                else f
                for f in fmts
            ]
        return TimingTable(formats, base.warnings)


def _timing_windows(windows: list[LearnedWindow]) -> list[TimingWindow]:
    return [TimingWindow(frozenset(w.days), w.start, w.end, w.score, "learned") for w in windows]


def learn_platform(model: PlatformModel) -> PlatformLearning:
    """Shrink each slot's effect toward 0 by how much of it chance could explain."""
    cells = [c for c in model.cells if c.posts >= 1]
    noise = [model.sd**2 / c.posts for c in cells]
    tau2 = max(0.0, sum(c.mean**2 for c in cells) / len(cells) - sum(noise) / len(cells)) if cells else 0.0
    out = PlatformLearning(model.platform, model.posts, model.sd, math.sqrt(tau2))
    for c, v in zip(cells, noise, strict=True):
        weight = tau2 / (tau2 + v) if tau2 + v > 0 else 0.0
        out.effects[(c.weekday, c.hour)] = SlotEffect(c.posts, c.mean, c.mean * weight)
    return out


def learn(store, project, f: PostFilter, tz: str, metric_name: str = DEFAULT_METRIC) -> Learned:
    """Learned windows for every platform with enough posts (others keep the research windows)."""
    research = load_timing(project.timing_dir, learned=False)
    models = platform_models(store.posts(f, tz), metric_name)
    # The same evidence rule as `analyze`: a platform learns only when one of its slots differs
    # beyond chance family-wise (Bonferroni over every slot tested); from noise it learns nothing.
    evident = {t.platform for t in time_claims(models) if t.claimed}
    platforms = {
        p: learn_platform(m) if p in evident else PlatformLearning(p, m.posts, m.sd, 0.0)
        for p, m in models.items()
        if m.posts >= MIN_PLATFORM_POSTS
    }
    windows = {}
    for p, pl in platforms.items():
        if pl.tau == 0:
            continue  # no slot differs beyond chance: the research windows stand as they are
        for fmt in research.for_platform(Platform(p)):
            if not fmt.fallback:
                windows[(p, fmt.format)] = blend(pl, fmt.format, fmt.windows)
    return Learned(metric_name, now(), platforms, windows)


def blend(pl: PlatformLearning, fmt: str, windows: list[TimingWindow]) -> list[LearnedWindow]:
    """Cut each research window at the hours into one piece per weekday, score each piece, merge
    the pieces that stay alike (same day, adjacent, same score; then same times across days)."""
    pieces: list[LearnedWindow] = []
    for w in windows:
        for day in sorted(w.days):
            for start, end in _hour_pieces(w.start, w.end):
                e = pl.effects.get((day, start.hour))
                shrunk = e.shrunk if e else 0.0
                pieces.append(
                    LearnedWindow(
                        pl.platform,
                        fmt,
                        (day,),
                        start,
                        end,
                        w.score,
                        w.score * math.exp(shrunk),
                        e.posts if e else 0,
                        math.exp(shrunk) - 1,
                    )
                )
    top = max((p.score for p in pieces), default=1.0)
    if top > 1:
        for p in pieces:
            p.score = p.score / top
    for p in pieces:
        p.score = round(p.score, 4)
        p.lift = round(p.lift, 4)
    return _merge_days(_merge_hours(pieces))


def _hour_pieces(start: time, end: time) -> list[tuple[time, time]]:
    out = []
    s = start.hour * 60 + start.minute
    e = 24 * 60 if end == time(0) else end.hour * 60 + end.minute
    while s < e:
        nxt = min(e, (s // 60 + 1) * 60)
        out.append((_t(s), _t(nxt)))
        s = nxt
    return out


def _t(minutes: int) -> time:
    return time(0) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def _merge_hours(pieces: list[LearnedWindow]) -> list[LearnedWindow]:
    out: list[LearnedWindow] = []
    for p in pieces:
        last = out[-1] if out else None
        if (
            last is not None
            and last.days == p.days
            and last.end == p.start
            and last.end != time(0)
            and (last.score, last.prior, last.lift) == (p.score, p.prior, p.lift)
        ):
            last.end = p.end
            last.posts += p.posts
        else:
            out.append(dataclasses.replace(p))
    return out


def _merge_days(pieces: list[LearnedWindow]) -> list[LearnedWindow]:
    by: dict[tuple, LearnedWindow] = {}
    for p in pieces:
        key = (p.start, p.end, p.score, p.prior, p.lift)
        if key in by:
            w = by[key]
            w.days = tuple(sorted({*w.days, *p.days}))
            w.posts += p.posts
        else:
            by[key] = dataclasses.replace(p)
    return sorted(by.values(), key=lambda w: (-w.score, w.days, w.start))


# ------------------------------------------------------------------- the file the planner reads


def learned_yaml(learned: Learned) -> str:
    """``timing_data/learned.yaml``: deterministic text, one flow mapping per window."""
    lines = [
        "# Windows learned from your own performance numbers by `calcli optimize --apply`: research",
        "# baselines blended with your posts (empirical Bayes, shrunk toward the research score when",
        "# there are few posts). The planner uses them in place of the research windows of the",
        "# formats below. Delete this file (or a platform) to go back to the research windows.",
        f"learned_at: {files.yamlio.scalar(learned.learned_at.isoformat(timespec='seconds'))}",
        f"metric: {learned.metric}",
        "platforms:",
    ]
    for p in sorted({p for p, _ in learned.windows}):
        pl = learned.platforms[p]
        lines += [f"  {p}:", f"    posts: {pl.posts}", "    formats:"]
        for (pp, fmt), wins in sorted(learned.windows.items()):
            if pp != p:
                continue
            lines.append(f"      {fmt}:")
            for w in wins:
                days = ", ".join(WEEKDAYS[d] for d in w.days)
                lines.append(
                    f'        - {{days: [{days}], start: "{w.start:%H:%M}", end: "{w.end:%H:%M}", '
                    f"score: {w.score:g}, prior: {w.prior:g}, posts: {w.posts}, lift: {w.lift:g}}}"
                )
    return "\n".join(lines) + "\n"


def write_learned(project, learned: Learned) -> str:
    path = project.timing_dir / LEARNED_FILE
    files.text.write_atomic(path, learned_yaml(learned))
    return str(path)


# ------------------------------------------------------------------- moves


@dataclass
class Move:
    item: ContentScheduleItem
    to: datetime
    score_from: float
    score_to: float
    gain: float  # expected relative change of the metric (from the user's data, shrunk)
    posts: int  # posts behind the estimate (both slots)


def plan_moves(
    s,
    learned: Learned,
    calendar: str | None = None,
    platform: str | None = None,
    only: set[str] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
    min_gain: float = DEFAULT_MIN_GAIN,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> list[Move]:
    """Planned posts that a learned window would serve better, each with its new slot."""
    items = s.store.items(user=s.user, calendar=calendar, statuses=(ScheduleStatus.PLANNED.value,))
    items = [
        i
        for i in items
        if i.scheduled_at > now()
        and (platform is None or i.platform.value == platform)
        and (only is None or i.id in only)
        and i.id not in skip
        and i.platform.value in learned.platforms
    ]
    by_cal: dict[str, list[ContentScheduleItem]] = {}
    for i in items:
        by_cal.setdefault(i.calendar, []).append(i)
    moves: list[Move] = []
    for cal_name, mine in sorted(by_cal.items()):
        moves += _calendar_moves(s, learned, cal_name, mine, min_gain, horizon_days)
    return moves


def _calendar_moves(
    s, learned: Learned, cal_name: str, mine: list[ContentScheduleItem], min_gain: float, horizon_days: int
) -> list[Move]:
    """The moves of one calendar's items ``mine``, in time order."""
    cal = s.store.calendar(cal_name)
    inp = operations.slots.plan_input(s, cal)
    inp.timing = learned.timing(inp.timing)
    tz = zone(cal.timezone)
    # One planner for the calendar: every item of the user's on its platform's board (caps,
    # spacing), the calendar's items in the stagger. Each post considered is taken off the board
    # and gets the slot the planner would give one more post of it (best_free_slot) from its
    # current time to its horizon, or goes back; so each move sees the moves before it.
    planner = planning.search.Planner(inp)
    for other in inp.existing:
        if other.calendar == cal_name and other.status != ScheduleStatus.CANCELED:
            planner.stagger.note(other.video_job_id, other.platform, other.scheduled_at.timestamp())
    moves: list[Move] = []
    for item in sorted(mine, key=lambda i: (i.scheduled_at, i.id)):
        move = _item_move(planner, inp, cal, tz, learned, item, min_gain, horizon_days)
        if move is not None:
            moves.append(move)
    return moves


def _item_move(planner, inp, cal, tz, learned: Learned, item, min_gain: float, horizon_days: int) -> Move | None:
    """Take ``item`` off the planner's board and book it again at its best slot up to its horizon:
    the move there when it gains enough, else None (and it is booked where it was)."""
    pl = learned.platforms[item.platform.value]
    local = item.scheduled_at.astimezone(tz)
    here = learned.lift_at(item.platform.value, local)
    if max((e.shrunk for e in pl.effects.values()), default=0.0) - here < math.log1p(min_gain):
        return None  # no slot of this platform could gain enough
    fmt = operations.slots.format_of(
        inp, item.platform, item.format if inp.timing.get(item.platform, item.format) else None
    )
    planner.board(item.platform, fmt)
    planner.unbook(item)
    earliest = max(inp.now, item.scheduled_at).timestamp()
    last = min(cal.period_end, local.date() + timedelta(days=horizon_days))
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).timestamp() - 1
    req = planning.problem.Request(
        VideoJob(item.video_job_id), item.platform, fmt, item.idempotency_key, (0,), earliest
    )
    slot = planner.best_slot(req, until=until)
    current = _score_at(fmt.windows, local)
    keep, move = item, None
    if slot is not None and slot.at != item.scheduled_at:
        new_local = slot.at.astimezone(tz)
        gain = math.exp(learned.lift_at(item.platform.value, new_local) - here) - 1
        if gain >= min_gain and slot.score > current:
            cells = {(local.weekday(), local.hour), (new_local.weekday(), new_local.hour)}
            posts = sum(e.posts for k, e in pl.effects.items() if k in cells)
            move = Move(item, slot.at, current, slot.score, gain, posts)
            keep = dataclasses.replace(item, scheduled_at=slot.at, score=slot.score)
    planner.book(keep)
    planner.stagger.note(item.video_job_id, item.platform, keep.scheduled_at.timestamp())
    return move


def _score_at(windows: list[TimingWindow], local: datetime) -> float:
    t = local.time().replace(second=0, microsecond=0, tzinfo=None)
    return max((w.score for w in windows if w.covers(local.weekday(), t)), default=0.0)


def apply_moves(s, moves: list[Move]) -> None:
    """Move the items (one atomic write per calendar, an audit entry each)."""
    editing = operations.editing
    by_cal: dict[str, editing.Change] = {}
    for m in moves:
        change = by_cal.setdefault(m.item.calendar, editing.Change())
        change.changed[m.item.id] = dataclasses.replace(m.item, scheduled_at=m.to, score=round(m.score_to, 4))
        change.history.append(
            editing.history_row(m.item, s.actor, "optimized", "at", m.item.scheduled_at.isoformat(), m.to.isoformat())
        )
    with s.store.atomic():
        for cal, change in sorted(by_cal.items()):
            editing.apply_change(s.store, s.project, editing.open_calendar(s.store, s.project, cal), change)
