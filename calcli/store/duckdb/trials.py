"""A/B trials in DuckDB: the design declared before any data is seen, and every unit's arm."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from calcli.core.model import OptimizationTrial
from calcli.core.times import utc_stamp

# The stored columns, in the order of OptimizationTrial's fields.
TRIAL_COLUMNS = (
    "id, user_id, name, metric, arm_a, arm_b, status, assignment, started_at, concluded_at, decision, "
    "calendar_id, platform, unit, seed, min_effect, alpha, period_start, period_end, planned_per_arm, "
    "sigma, sigma_source, note"
)


def trial_from_row(row: tuple) -> OptimizationTrial:
    """A stored trial; a column left NULL (a trial stored before migration 5 added the design) takes
    the field's default."""
    names = [f.name for f in fields(OptimizationTrial)]
    return OptimizationTrial(**{n: v for n, v in zip(names, row, strict=True) if v is not None})


class Trials:
    """optimization_trials and trial_assignments (store-owned)."""

    def trials(self, user: str, status: str | None = None, ref: str | None = None) -> list[OptimizationTrial]:
        rows = self.con.execute(
            f"SELECT {TRIAL_COLUMNS} FROM optimization_trials WHERE user_id = ? AND (? IS NULL OR status = ?) "
            "AND (? IS NULL OR id = ? OR name = ?) ORDER BY started_at, id",
            [user, status, status, ref, ref, ref],
        ).fetchall()
        return [trial_from_row(r) for r in rows]

    def trial(self, trial_id: str) -> OptimizationTrial | None:
        row = self.con.execute(f"SELECT {TRIAL_COLUMNS} FROM optimization_trials WHERE id = ?", [trial_id]).fetchone()
        return trial_from_row(row) if row else None

    def trial_taken(self, trial_id: str, user: str, name: str) -> bool:
        return bool(
            self.con.execute(
                "SELECT 1 FROM optimization_trials WHERE id = ? OR (user_id = ? AND name = ?)", [trial_id, user, name]
            ).fetchall()
        )

    def add_trial(self, t: OptimizationTrial, arms: dict[str, str], method: str | dict[str, str]) -> None:
        stamp = utc_stamp()
        values = [getattr(t, f.name) for f in fields(OptimizationTrial)]
        with self.atomic():
            self.con.execute(
                f"INSERT INTO optimization_trials ({TRIAL_COLUMNS}, created_at, updated_at) "
                "VALUES (" + ", ".join(["?"] * (len(values) + 2)) + ")",
                [*values, stamp, stamp],
            )
            if isinstance(method, str):
                self.add_trial_assignments(t, arms, method, stamp)
            else:
                self.append("trial_assignments", [(t.id, t.user_id, u, a, method[u], stamp) for u, a in arms.items()])

    def add_trial_assignments(self, t: OptimizationTrial, arms: dict[str, str], method: str, at=None) -> None:
        at = at or utc_stamp()
        self.append("trial_assignments", [(t.id, t.user_id, u, a, method, at) for u, a in arms.items()])

    def trial_assignments(self, trial_id: str) -> dict[str, str]:
        rows = self.con.execute("SELECT unit, arm FROM trial_assignments WHERE trial_id = ?", [trial_id]).fetchall()
        return dict(rows)

    def trial_methods(self, trial_id: str) -> dict[str, str]:
        rows = self.con.execute("SELECT unit, method FROM trial_assignments WHERE trial_id = ?", [trial_id]).fetchall()
        return dict(rows)

    def conclude_trial(self, trial_id: str, decision: str, note: str | None, at: datetime) -> None:
        self.con.execute(
            "UPDATE optimization_trials SET status = 'concluded', concluded_at = ?, decision = ?, note = ?, "
            "updated_at = ? WHERE id = ?",
            [at, decision, note, at, trial_id],
        )
