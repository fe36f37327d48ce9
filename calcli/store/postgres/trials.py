"""A/B trials in PostgreSQL."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from calcli.core.model import OptimizationTrial
from calcli.core.times import utc_stamp
from calcli.store.duckdb.trials import TRIAL_COLUMNS, trial_from_row

ASSIGNMENT_COLUMNS = ("trial_id", "user_id", "unit", "arm", "method", "assigned_at")


class Trials:
    """optimization_trials and trial_assignments (store-owned)."""

    def trials(self, user: str, status: str | None = None, ref: str | None = None) -> list[OptimizationTrial]:
        rows = self.con.execute(
            f"SELECT {TRIAL_COLUMNS} FROM optimization_trials WHERE user_id = %(u)s "
            "AND (%(s)s::text IS NULL OR status = %(s)s) AND (%(r)s::text IS NULL OR id = %(r)s OR name = %(r)s) "
            "ORDER BY started_at, id",
            {"u": user, "s": status, "r": ref},
        ).fetchall()
        return [trial_from_row(r) for r in rows]

    def trial(self, trial_id: str) -> OptimizationTrial | None:
        row = self.con.execute(f"SELECT {TRIAL_COLUMNS} FROM optimization_trials WHERE id = %s", [trial_id]).fetchone()
        return trial_from_row(row) if row else None

    def trial_taken(self, trial_id: str, user: str, name: str) -> bool:
        return bool(
            self.con.execute(
                "SELECT 1 FROM optimization_trials WHERE id = %s OR (user_id = %s AND name = %s)",
                [trial_id, user, name],
            ).fetchall()
        )

    def add_trial(self, t: OptimizationTrial, arms: dict[str, str], method: str | dict[str, str]) -> None:
        stamp = utc_stamp()
        values = [getattr(t, f.name) for f in fields(OptimizationTrial)]
        with self.atomic():
            self.con.execute(
                f"INSERT INTO optimization_trials ({TRIAL_COLUMNS}, created_at, updated_at) "
                "VALUES (" + ", ".join(["%s"] * (len(values) + 2)) + ")",
                [*values, stamp, stamp],
            )
            methods = method if isinstance(method, dict) else dict.fromkeys(arms, method)
            rows = [(t.id, t.user_id, u, a, methods[u], stamp) for u, a in arms.items()]
            self.append("trial_assignments", rows, ASSIGNMENT_COLUMNS)

    def add_trial_assignments(self, t: OptimizationTrial, arms: dict[str, str], method: str, at=None) -> None:
        at = at or utc_stamp()
        rows = [(t.id, t.user_id, u, a, method, at) for u, a in arms.items()]
        self.append("trial_assignments", rows, ASSIGNMENT_COLUMNS)

    def trial_assignments(self, trial_id: str) -> dict[str, str]:
        return dict(self.con.execute("SELECT unit, arm FROM trial_assignments WHERE trial_id = %s", [trial_id]))

    def trial_methods(self, trial_id: str) -> dict[str, str]:
        return dict(self.con.execute("SELECT unit, method FROM trial_assignments WHERE trial_id = %s", [trial_id]))

    def conclude_trial(self, trial_id: str, decision: str, note: str | None, at: datetime) -> None:
        self.con.execute(
            "UPDATE optimization_trials SET status = 'concluded', concluded_at = %s, decision = %s, note = %s, "
            "updated_at = %s WHERE id = %s",
            [at, decision, note, at, trial_id],
        )
