"""Dispatch in PostgreSQL: attempts, the store's small settings, and claims as rows.

A claim is taken in one transaction: the item's row is locked with ``FOR UPDATE SKIP LOCKED`` (a host
that finds it locked moves on at once), then a ``running`` attempt is inserted; the partial unique
index ``attempts_one_live`` (one running, posted or unconfirmed attempt per item) makes a second claim
impossible even where two hosts mirrored the item as different row versions. The outcome replaces the
running row the moment the publisher's result is known.

A run's claims carry its *holder*: a number from ``claim_holders`` whose session-level advisory lock
the run holds on its claiming connection until every outcome is written. A running claim whose lock
nobody holds belongs to a run that is gone (killed; or its host went down, and the server ended its
session: TCP keepalives, about a minute); any host's next ``dispatch`` or ``due`` marks it unconfirmed
(:meth:`Dispatch.expire_claims`). It is never retried: the publisher may have posted, so a person
settles it (``calcli item status``). The host that made it also marks it from its journal
(calcli.operations.fold).
"""

from __future__ import annotations

from calcli.core.times import utc_stamp
from calcli.store.postgres.schema import CLAIM_LOCK

ATTEMPT_COLUMNS = (
    "item_id", "calendar_id", "user_id", "attempt", "run_id", "claimed_at", "finished_at", "outcome", "post_ref",
    "error", "exit_code",
)  # fmt: skip
# Settings that belong to one clone of the project (its journal), not to the shared store.
PER_CLONE = ("journal_offset",)
# The claiming session's TCP keepalives: a host that goes down without closing its connection loses its
# session (and so its claims' lock) after about idle + interval × count seconds.
KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}
GONE = (
    "the dispatch run on {clone} that claimed this item is gone (killed, or its host went down) without "
    "recording an outcome; check the platform, then confirm with `calcli item status ID posted|failed`"
)


class Dispatch:
    """dispatch_attempts and store_meta (store-owned)."""

    clone: str = ""
    holder: int | None = None  # this run's claim holder, once it claimed anything

    def _meta_key(self, key: str) -> str:
        return f"{key}@{self.clone}" if key in PER_CLONE else key

    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM store_meta WHERE key = %s", [self._meta_key(key)]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute(
            "INSERT INTO store_meta (key, value) VALUES (%s, %s) "
            "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
            [self._meta_key(key), value],
        )

    def upsert_attempts(self, rows: list[tuple]) -> None:
        """Rows of dispatch_attempts; an (item, attempt, run) already there is replaced."""
        if not rows:
            return
        with self.atomic():
            kept = self.con.execute(  # a row keeps the clone whose run made it and that run's holder
                "DELETE FROM dispatch_attempts d USING unnest(%s::text[], %s::int[], %s::text[]) AS t(i, a, r) "
                "WHERE d.item_id = t.i AND d.attempt = t.a AND d.run_id = t.r "
                "RETURNING d.item_id, d.attempt, d.run_id, d.clone, d.holder",
                [[r[0] for r in rows], [r[3] for r in rows], [r[4] for r in rows]],
            ).fetchall()
            made = {(i, a, r): (c, h) for i, a, r, c, h in kept}
            self.append(
                "dispatch_attempts",
                [(*r, *made.get((r[0], r[3], r[4]), (self.clone, None))) for r in rows],
                (*ATTEMPT_COLUMNS, "clone", "holder"),
            )

    def attempts(self, item_ids: list[str] | None = None, outcome: str | None = None) -> list[tuple]:
        where, params = ["TRUE"], []
        if item_ids is not None:
            where.append("item_id = ANY(%s)")
            params.append(item_ids)
        if outcome is not None:
            where.append("outcome = %s")
            params.append(outcome)
        return self.con.execute(
            "SELECT item_id, attempt, run_id, claimed_at, finished_at, outcome, post_ref, error, exit_code "
            f"FROM dispatch_attempts WHERE {' AND '.join(where)} ORDER BY item_id, attempt",
            params,
        ).fetchall()

    def open_claims(self) -> list[tuple]:
        """This clone's running attempts (another host's runs are judged by that host)."""
        return self.con.execute(
            "SELECT item_id, attempt, run_id FROM dispatch_attempts WHERE outcome = 'running' AND clone = %s",
            [self.clone],
        ).fetchall()

    def posted_elsewhere(self, item_ids: list[str]) -> dict[str, str]:
        return dict(
            self.con.execute(
                "SELECT item_id, clone FROM dispatch_attempts WHERE item_id = ANY(%s) AND outcome = 'posted' "
                "AND clone <> %s",
                [item_ids, self.clone],
            ).fetchall()
        )

    def resolve_attempts(self, item_id: str, outcome: str) -> None:
        # the person settled it in this clone's files: another clone that finds it posted is told to pull
        self.con.execute(
            "UPDATE dispatch_attempts SET outcome = %s, clone = %s WHERE item_id = %s AND outcome = 'unconfirmed'",
            [outcome, self.clone, item_id],
        )

    def claim(self, item_id: str, attempt: int, run_id: str) -> bool:
        """Take the item for this run, whichever host asks; False when another run holds or posted it."""
        if self.holder is None:
            self._hold()
        with self.atomic() as tx:
            row = self.con.execute(
                "SELECT calendar_id, user_id FROM content_schedule_items WHERE id = %s "
                "AND status IN ('scheduled', 'failed') LIMIT 1 FOR UPDATE SKIP LOCKED",
                [item_id],
            ).fetchone()
            if row is None:
                tx.discard()
                return False
            cur = self.con.execute(
                f"INSERT INTO dispatch_attempts ({', '.join(ATTEMPT_COLUMNS)}"
                ", clone, holder) VALUES (%s, %s, %s, %s, %s, %s, NULL, 'running', NULL, NULL, NULL, %s, %s) "
                "ON CONFLICT (item_id) WHERE outcome IN ('running', 'posted', 'unconfirmed') DO NOTHING",
                [item_id, row[0], row[1], attempt, run_id, utc_stamp(), self.clone, self.holder],
            )
            return cur.rowcount == 1

    def _hold(self) -> None:
        """This run's holder number, and its lock for as long as this connection lives."""
        for name, value in KEEPALIVES.items():
            self.con.execute(f"SET {name} = {value}")
        self.holder = self.con.execute("SELECT nextval('claim_holders')::int").fetchone()[0]
        self.con.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [CLAIM_LOCK, self.holder])

    def expire_claims(self) -> list[str]:
        """Mark unconfirmed the running claims of other clones whose run is gone (nobody holds their
        holder's lock); the items marked. This clone's own are judged by its journal."""
        rows = self.con.execute(
            """UPDATE dispatch_attempts d SET outcome = 'unconfirmed', finished_at = %s,
                      error = replace(%s, '{clone}', d.clone)
               WHERE outcome = 'running' AND clone <> %s AND holder IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND l.classid = %s::oid AND l.objid = d.holder::oid AND l.objsubid = 2)
               RETURNING item_id""",
            [utc_stamp(), GONE, self.clone, CLAIM_LOCK],
        ).fetchall()
        return sorted(r[0] for r in rows)

    def settle(self, item_id: str, attempt: int, run_id: str, outcome: str, ref, error, code) -> None:
        """The outcome of this run's claim, the moment it is known."""
        self.con.execute(
            "UPDATE dispatch_attempts SET outcome = %s, post_ref = %s, error = %s, exit_code = %s, finished_at = %s "
            "WHERE item_id = %s AND attempt = %s AND run_id = %s",
            [outcome, ref, error, code, utc_stamp(), item_id, attempt, run_id],
        )
