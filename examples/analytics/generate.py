"""Make the example performance history: calendars/history.yaml (H1 2026: 26 weeks to June 30) and
kpi.csv (two snapshots per post, canonical layout). Deterministic: the same files every run.

The numbers are simulated, not real: each platform has its own engagement level, posts vary
around it (log-normal, sigma 0.35), and one slot really is better -- TikTok on Thursdays at
19:00 gets +35% -- so `calcli analyze` has something true to find.

    python examples/analytics/generate.py   # rewrites the two files beside this script
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
TZ = ZoneInfo("America/New_York")
FIRST = date(2026, 1, 5)  # a Monday
WEEKS = 26
LAST = date(2026, 6, 30)  # H1 ends; calendars/Q3.yaml takes over on July 1 (same user, same rules)
# platform: (format, base engagement rate, mean impressions, [(weekday, hour), ...])
PLATFORMS = {
    "youtube": ("short", 0.045, 6000, [(2, 16), (5, 12)]),
    "tiktok": ("video", 0.070, 9000, [(1, 18), (2, 18), (3, 19), (6, 20)]),
    "instagram": ("reel", 0.035, 4000, [(1, 11), (3, 12), (4, 10)]),
    "linkedin": ("video", 0.020, 2500, [(1, 9), (2, 10), (3, 8)]),
}
BETTER = ("tiktok", 3, 19, 1.35)  # the planted effect


def main() -> None:
    rng = random.Random(3)
    items, rows = [], []
    n = 0
    for week in range(WEEKS):
        monday = FIRST + timedelta(weeks=week)
        for platform, (fmt, base, reach, slots) in PLATFORMS.items():
            for weekday, hour in slots:
                n += 1
                local = datetime.combine(monday + timedelta(days=weekday), datetime.min.time()).replace(
                    hour=hour, tzinfo=TZ
                )
                video = f"vh_{week:02d}_{slots.index((weekday, hour))}"
                item_id = f"it_h{n:04d}"
                lift = BETTER[3] if (platform, weekday, hour) == BETTER[:3] else 1.0
                rate = base * lift * math.exp(rng.gauss(0, 0.35) - 0.35**2 / 2)
                impressions = max(50, int(reach * math.exp(rng.gauss(0, 0.6))))
                if local.date() > LAST:
                    continue  # drawn all the same, so the posts before keep their numbers
                items.append((item_id, video, platform, fmt, local))
                for age, share in ((1, 0.6), (7, 1.0)):
                    imp = int(impressions * share)
                    eng = int(imp * rate)
                    likes = int(eng * 0.75)
                    comments = int(eng * 0.1)
                    shares = int(eng * 0.1)
                    saves = eng - likes - comments - shares
                    at = (local + timedelta(days=age)).astimezone(ZoneInfo("UTC"))
                    rows.append(
                        f"{item_id},{platform},{at:%Y-%m-%dT%H:%M:%SZ},{imp},{int(imp * 0.8)},{imp},"
                        f"{likes},{comments},{shares},{saves}"
                    )
    write_calendar(items)
    header = "item_id,platform,metric_at,impressions,reach,views,likes,comments,shares,saves"
    (HERE / "kpi.csv").write_text(header + "\n" + "\n".join(rows) + "\n")


def write_calendar(items) -> None:
    lines = [
        "# Example history: H1 2026 (26 weeks, to June 30) of posted videos (simulated) for `calcli analyze`.",
        "# Made by examples/analytics/generate.py; the numbers are in examples/analytics/kpi.csv.",
        "calendar: history",
        "user: user_123",
        'title: "H1 2026 (example history)"',
        "timezone: America/New_York",
        f'period: {{start: "{FIRST}", end: "{LAST}"}}',
        "platforms: [youtube, tiktok, instagram, linkedin]",
        "items:",
    ]
    for item_id, video, platform, fmt, local in items:
        lines += [
            f"  - id: {item_id}",
            f"    key: history/{video}/{platform}",
            f"    video: {video}",
            f"    platform: {platform}",
            f"    format: {fmt}",
            f'    at: "{local.isoformat()}"',
            "    status: posted",
            f'    title: "Episode {video[3:]}"',
        ]
    (HERE / "history.yaml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
