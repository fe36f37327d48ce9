"""KPI import in one pass of SQL: read the export, validate every row, link rows to items, upsert.

Nothing goes through Python row by row: DuckDB reads the file (``read_csv`` /
``read_json``, every column as text), a staging table normalises and checks
each row (with its line number), good rows are linked to schedule items and
written with one ``INSERT``; the posts they touch get their latest snapshot
recomputed in ``kpi_latest``, which analysis reads instead of every event.
"""

from __future__ import annotations

from calcli.core.model import KPI_COUNTS as COUNTS
from calcli.core.model import PLATFORM_IDS
from calcli.store.base import ImportResult
from calcli.store.duckdb.kpi_read import INVALID, columns_of, reader
from calcli.store.duckdb.kpi_read import quoted as _q

SNAPSHOT = (*COUNTS, "watch_time_seconds")  # the numbers of one snapshot
_KNOWN = ", ".join(f"'{p}'" for p in PLATFORM_IDS)


def _raw(col: str | None) -> str:
    return f"CAST({_q(col)} AS VARCHAR)" if col else "NULL"


def _text(col: str | None) -> str:
    """The column as trimmed text, NULL when empty. ``trim`` copies every string it is given, and
    that was a tenth of a 1M-row import: a value that starts and ends with a printable ASCII
    character (nearly all) has nothing to trim."""
    if not col:
        return "NULL"
    s = _raw(col)
    bare = f"unicode({s}) BETWEEN 33 AND 126 AND unicode({s}[-1]) BETWEEN 33 AND 126"
    return f"nullif(CASE WHEN {bare} THEN {s} ELSE trim({s}) END, '')"


def _count(col: str | None, scale: float) -> str:
    """A whole number >= 0 (a thousands separator is fine; a sign or a decimal point is not), else
    NULL. DuckDB's cast rounds '1.5' to 2, hence the test for a point; the comma is removed only
    where there is one (``replace`` copies every string)."""
    if not col:
        return "NULL"
    s = _raw(col)
    digits = f"CASE WHEN contains({s}, ',') THEN replace({s}, ',', '') ELSE {s} END"
    # TRY_CAST throughout: a number too large for BIGINT (after the layout's scale) is a bad row too.
    value = f"CASE WHEN NOT contains({s}, '.') THEN TRY_CAST(TRY_CAST({digits} AS UBIGINT) AS BIGINT) END"
    return f"TRY_CAST(round({value} * {scale}) AS BIGINT)" if scale != 1.0 else value


def event_key_sql(platform: str, post: str, metric_at: str) -> str:
    """SQL for a KPI event's key, from SQL for its platform, its post (item id, else post id or URL)
    and its metric time (a UTC TIMESTAMP or a TIMESTAMPTZ): md5 of ``platform|post`` as a 128-bit
    number, XOR the metric time in microseconds (offset to be non-negative). Two snapshots of one
    post never share a key; two posts' keys meet only if their md5s agree in the top 64 bits. (An
    md5 over the time's text cost a quarter of a 1M-row import; migration 7 rekeyed older events.)"""
    return (
        f"xor(md5_number(concat_ws('|', {platform}, {post})), "
        f"CAST(CAST(epoch_us({metric_at}) AS HUGEINT) + 9223372036854775808 AS UHUGEINT))"
    )


def import_file(
    con,
    path: str,
    kind: str,
    mapping: dict[str, tuple[str, float]],
    user: str,
    source: str,
    *,
    imported_at,
    default_platform: str | None,
    as_of: str | None,
    strict: bool,
    first_line: int,
) -> ImportResult:
    """Import one file. ``mapping``: canonical column → (file column, scale). Line numbers count
    from ``first_line`` (2 for a CSV with a header, 1 for NDJSON). With ``strict`` nothing is
    written when any row is bad. A clean file is read once and staged once; a file with a bad or
    repeated row is staged a second time, with its line numbers."""
    con.execute("SET TimeZone = 'UTC'")  # metric times without an offset are UTC
    params = {"user": user, "path": path, "now": imported_at}
    if default_platform:
        params["default_platform"] = default_platform
    if as_of:
        params["as_of"] = as_of
    lines = kind == "ndjson"  # read line by line: each row knows its line, and a bad line is a bad row
    stage = _stage_sql(mapping, first_line, bool(default_platform), bool(as_of), lines)
    source_sql = reader(kind, sorted({c for c, _ in mapping.values()}))
    result = ImportResult()
    # First pass, for the common clean file: no line numbers (numbering the rows in file order is
    # a sequential pass over the whole file). Only when a row is bad or a key repeats — when lines
    # are needed, to report or to let the later line win — is the file staged again, numbered.
    for numbering in ("_line",) if lines else ("NULL", "row_number() OVER ()"):
        con.execute(stage.format(reader=source_sql, numbering=numbering), params)
        # Duplicates of an event key within the file are rare: a distinct count of the keys' hashes finds
        # every one (equal keys, equal hashes); a hash collision only sends the import down the dedupe path.
        result.rows, result.rejected_count, result.unlinked, dupes = con.execute(
            "SELECT count(*), count(reason), count(*) FILTER (WHERE reason IS NULL AND item_id IS NULL), "
            "count(event_key) - count(DISTINCT hash(event_key)) FILTER (WHERE event_key IS NOT NULL) FROM _v"
        ).fetchone()
        if numbering != "NULL" or not (result.rejected_count or dupes):  # numbered, or nothing to number
            break
    result.rejected = con.execute(
        "SELECT line, reason FROM _v WHERE reason IS NOT NULL ORDER BY line LIMIT 50"
    ).fetchall()
    if strict and result.rejected_count:
        return result
    good = "(SELECT * FROM _v WHERE reason IS NULL)"
    if dupes:  # the same snapshot twice in one file: the later line wins
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _g AS SELECT * FROM _v WHERE reason IS NULL "
            "QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY line DESC) = 1"
        )
        good = "_g"
    _write(con, good, result, user, source, imported_at)
    return result


def _normalised(
    mapping: dict[str, tuple[str, float]], first_line: int, default_platform: bool, as_of: bool, lines: bool
) -> list:
    """The staged columns of a row: its line, why it is no row at all (an NDJSON line that is no
    object), platform and metric time as given and parsed, its ids, and each count as given and as
    a whole number (NULL when it is not one)."""

    def col(name: str) -> str | None:
        return mapping.get(name, (None, 1.0))[0]

    c = col("platform")
    # A platform written as calcli names it needs neither trim nor lower.
    platform = f"CASE WHEN {_raw(c)} IN ({_KNOWN}) THEN {_raw(c)} ELSE lower({_text(c)}) END" if c else "NULL"
    if default_platform:
        platform = f"coalesce({platform}, $default_platform)"
    metric = _text(col("metric_at"))
    if as_of:
        metric = f"coalesce({metric}, $as_of)"
    norm = [
        f"_n + {first_line - 1} AS line",
        f"{INVALID if lines else 'NULL'} AS invalid",
        f"{platform} AS platform_raw",
        f"{metric} AS metric_raw",
        f"TRY_CAST({metric} AS TIMESTAMPTZ) AS metric_at",
    ]
    for name in ("item_id", "post_id", "post_url"):
        norm.append(f"{_text(col(name))} AS {name}")
    for name in COUNTS:
        c, scale = mapping.get(name, (None, 1.0))
        norm.append(f"{_raw(c)} AS {name}_raw")
        norm.append(f"{_count(c, scale)} AS {name}")
    c, scale = mapping.get("watch_time_seconds", (None, 1.0))
    norm.append(f"{_text(c)} AS watch_raw")
    norm.append(f"TRY_CAST({_text(c)} AS DOUBLE) * {scale} AS watch_time_seconds")
    return norm


def _impossible_offset(raw: str) -> str:
    """SQL: the text ends in a UTC offset no zone has (DuckDB reads ``+25:00`` as 25 hours). Only a
    text with a sign after its time is looked at closely (most exports write ``Z``)."""
    tail = f"substr({raw}, 17)"
    parts = f"regexp_extract({raw}, '[T ][0-9:.]+([+-])([0-9][0-9]):?([0-9][0-9])?$', ['sign', 'h', 'm'])"
    minutes = f"(TRY_CAST({parts}.h AS INTEGER) * 60 + coalesce(TRY_CAST(nullif({parts}.m, '') AS INTEGER), 0))"
    return (
        f"(contains({tail}, '+') OR contains({tail}, '-')) AND {parts}.sign <> '' AND "
        f"(coalesce(TRY_CAST(nullif({parts}.m, '') AS INTEGER), 0) >= 60 "
        f"OR {minutes} > CASE {parts}.sign WHEN '+' THEN 14 * 60 ELSE 12 * 60 END)"
    )


def _reason() -> str:
    """SQL for why a staged row is bad (the first problem found), NULL for a good row."""
    checks = [
        ("invalid IS NOT NULL", "invalid"),
        # An unknown item first: its platform is missing only because there is no item to take it from.
        ("item_id IS NOT NULL AND link IS NULL", "'item_id: no item ' || item_id || ' of this user'"),
        ("platform IS NULL", "'platform: missing (and no item_id to take it from)'"),
        (f"platform NOT IN ({_KNOWN})", "'platform: unknown ' || platform_raw"),
        ("metric_raw IS NULL", "'metric_at: missing'"),
        ("metric_at IS NULL", "'metric_at: ' || metric_raw || ' is not a date-time'"),
        (
            _impossible_offset("metric_raw"),
            "'metric_at: ' || metric_raw || ' has no such UTC offset (-12:00 to +14:00)'",
        ),
        (
            "metric_at > CAST($now AS TIMESTAMP) + INTERVAL 1 HOUR",
            "'metric_at: ' || metric_raw || ' is after now (' || strftime(CAST($now AS TIMESTAMP), '%Y-%m-%dT%H:%MZ') "
            "|| ')'",
        ),
        (
            "metric_at < published",
            "'metric_at: ' || metric_raw || ' is before the post was published (' "
            "|| strftime(published, '%Y-%m-%dT%H:%MZ') || ')'",
        ),
        ("item_id IS NULL AND post_id IS NULL AND post_url IS NULL", "'no item_id, post_id or post_url'"),
    ]
    counts = []
    for name in COUNTS:
        counts.append(
            (
                f"{name} IS NULL AND regexp_full_match(replace(trim({name}_raw), ',', ''), '[0-9]+')",
                f"'{name}: ' || {name}_raw || ' is too large (at most 9223372036854775807)'",
            )
        )
        counts.append(
            (f"{name} IS NULL AND {name}_raw <> ''", f"'{name}: ' || {name}_raw || ' is not a whole number >= 0'")
        )
    watch = (
        "watch_raw IS NOT NULL AND (watch_time_seconds IS NULL OR watch_time_seconds < 0)",
        "'watch_time_seconds: ' || watch_raw || ' is not a number >= 0'",
    )
    # Every count check needs its count NULL and its text given: a row with no such count (nearly
    # all) skips the sixteen of them at once. Behind the guard the same checks in the same order,
    # the watch-time check last (a row the guard lets in but no count check names still gets it).
    suspect = " OR ".join(f"({name} IS NULL AND {name}_raw IS NOT NULL)" for name in COUNTS)
    checks.append((suspect, _case([*counts, watch])))
    checks.append(watch)
    return _case(checks)


def _case(checks: list[tuple[str, str]]) -> str:
    """SQL: the first check's message whose condition holds, else NULL."""
    return "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in checks) + " END"


def _stage_sql(mapping: dict, first_line: int, default_platform: bool, as_of: bool, lines: bool) -> str:
    """The statement that stages a file's rows into ``_v``, linked to the user's items, each with its
    event key or the reason it is bad (``{reader}`` and ``{numbering}`` are filled in per pass)."""
    norm = _normalised(mapping, first_line, default_platform, as_of, lines)
    key = event_key_sql("platform", "coalesce(link, post_id, post_url)", "metric_at")
    return f"""
        CREATE OR REPLACE TEMP TABLE _v AS
        WITH raw AS (SELECT {{numbering}} AS _n, * FROM {{reader}}),
        k AS (SELECT {", ".join(norm)} FROM raw),
        items AS (SELECT id, platform, post_ref, scheduled_utc FROM content_schedule_items WHERE user_id = $user),
        l AS (
            SELECT k.*, coalesce(a.id, b.id, c.id) AS link,
                   coalesce(a.scheduled_utc, b.scheduled_utc, c.scheduled_utc) AS published,
                   coalesce(CASE WHEN k.platform_raw = 'twitter' THEN 'x' ELSE k.platform_raw END,
                            a.platform) AS platform
            FROM k
            LEFT JOIN items a ON a.id = k.item_id
            LEFT JOIN items b ON k.item_id IS NULL AND b.post_ref = k.post_id
            LEFT JOIN items c ON k.item_id IS NULL AND b.id IS NULL AND c.post_ref = k.post_url
        ),
        v AS (SELECT *, {_reason()} AS reason FROM l)
        SELECT line, reason, CASE WHEN reason IS NULL THEN {key} END AS event_key, link AS item_id, platform,
               coalesce(post_id, post_url) AS post_id, CAST(metric_at AS TIMESTAMP) AS metric_at,
               {", ".join(COUNTS)}, watch_time_seconds
        FROM v
        """


def _write(con, good: str, result: ImportResult, user: str, source: str, imported_at) -> None:
    """Write the good rows (``good``, a table or subquery of staged rows): each snapshot is new
    (insert), seen with other numbers (replace), or seen as is (nothing to do); then bring the
    posts' latest snapshots (``kpi_latest``) up to date for the items the import touched."""
    differs = " OR ".join(f"g.{c} IS DISTINCT FROM e.{c}" for c in (*COUNTS, "watch_time_seconds", "item_id"))
    fresh = latest_is_fresh(con)
    # Counted with one join, then written straight from the staging table (no second copy of it).
    result.added, result.updated = con.execute(
        f"SELECT count(*) FILTER (WHERE e.event_key IS NULL), count(*) FILTER (WHERE e.event_key IS NOT NULL) "
        f"FROM {good} g LEFT JOIN performance_kpi_events e ON e.event_key = g.event_key "
        f"WHERE e.event_key IS NULL OR {differs}"
    ).fetchone()
    touched = []
    if result.updated:  # a replaced event's item may differ from its replacement's
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _replaced AS SELECT e.event_key, e.item_id FROM {good} g "
            f"JOIN performance_kpi_events e ON e.event_key = g.event_key WHERE {differs}"
        )
        con.execute("DELETE FROM performance_kpi_events WHERE event_key IN (SELECT event_key FROM _replaced)")
        touched.append("SELECT item_id FROM _replaced")
    if result.added or result.updated:  # after the delete, exactly the new and the replaced are missing
        con.execute(
            f"INSERT INTO performance_kpi_events SELECT g.event_key, $user, g.item_id, g.platform, g.post_id, "
            f"g.metric_at, {', '.join('g.' + c for c in COUNTS)}, g.watch_time_seconds, $source, $now FROM {good} g "
            "WHERE NOT EXISTS (SELECT 1 FROM performance_kpi_events e WHERE e.event_key = g.event_key)",
            {"user": user, "source": source, "now": imported_at},
        )
        if result.rows > result.rejected_count + result.unlinked:  # some good rows name an item
            touched.append(f"SELECT item_id FROM {good} WHERE item_id IS NOT NULL")
    refresh_latest(con, " UNION ".join(touched) if fresh else None)


# ------------------------------------------------------------------- each post's latest snapshot

LATEST_GUARD = "kpi_latest_events"  # store_meta: how many events kpi_latest summarises


def latest_is_fresh(con) -> bool:
    """Whether ``kpi_latest`` summarises the events as they are: it remembers how many there were,
    which catches a store written by an older calcli or events inserted by hand."""
    return con.execute(
        "SELECT coalesce((SELECT value FROM store_meta WHERE key = $k) = "
        "CAST((SELECT count(*) FROM performance_kpi_events) AS VARCHAR), false)",
        {"k": LATEST_GUARD},
    ).fetchone()[0]


def refresh_latest(con, items: str | None = None) -> None:
    """Recompute ``kpi_latest`` (one row per user and item: its snapshot count and its latest
    snapshot, the one with the largest ``metric_at``) for the items of the query ``items``
    ("" for none), or for every item; then remember how many events it summarises. The guard is
    dropped first, so an interrupted refresh leaves the table known to be stale."""
    con.execute("DELETE FROM store_meta WHERE key = $k", {"k": LATEST_GUARD})
    if items is None or items:
        only = f" AND item_id IN ({items})" if items else ""
        con.execute(f"DELETE FROM kpi_latest WHERE TRUE{only}")
        snap = ", ".join(f"'{c}': {c}" for c in SNAPSHOT)
        numbers = ", ".join(f"snap.{c}" for c in SNAPSHOT)
        con.execute(
            f"INSERT INTO kpi_latest SELECT user_id, item_id, snapshots, metric_at, {numbers} "
            f"FROM (SELECT user_id, item_id, count(*) AS snapshots, max(metric_at) AS metric_at, "
            f"arg_max({{{snap}}}, metric_at) AS snap FROM performance_kpi_events "
            f"WHERE item_id IS NOT NULL{only} GROUP BY user_id, item_id)"
        )
    con.execute(
        "INSERT INTO store_meta SELECT $k, CAST(count(*) AS VARCHAR) FROM performance_kpi_events", {"k": LATEST_GUARD}
    )


def ensure_latest(con) -> None:
    """``kpi_latest`` as the events are (rebuilt when its guard says it is stale)."""
    if not latest_is_fresh(con):
        refresh_latest(con)


class Kpi:
    """KPI imports through the store's connection (see :func:`import_file`)."""

    def kpi_columns(self, path: str, kind: str) -> list[str]:
        return columns_of(self.con, path, kind)

    def import_kpi_file(self, path: str, kind: str, mapping: dict, user: str, source: str, **options) -> ImportResult:
        """``options``: imported_at, default_platform, as_of, strict, first_line (see :func:`import_file`)."""
        return import_file(self.con, path, kind, mapping, user, source, **options)
