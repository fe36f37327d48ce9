"""The shipped JSON Schemas: generated from the parsers, valid draft 2020-12, accepting every file calcli
accepts (examples, shipped timing data, the test fixtures) and rejecting, with calcli, the broken ones."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from calcli.core.errors import InvalidInput
from calcli.files.fields import _constructor
from calcli.files.yamlio import STR, TIMESTAMP, compose
from calcli.schemas import SCHEMAS, schema_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ECO = FIXTURES / "ecosystem"


def as_data(node: yaml.Node):
    """A YAML node tree as the language server sees it: YAML 1.1 scalars (12:30 is a number, no is false),
    dates left as text (calcli reads quoted and unquoted dates alike where it takes a date)."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: as_data(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [as_data(n) for n in node.value]
    if node.tag in (STR, TIMESTAMP):
        return node.value
    return _constructor.construct_object(node)


def load(path: Path):
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".toml":
        return tomllib.loads(path.read_text(encoding="utf-8"))
    return as_data(compose(path))


def kind_of(path: Path) -> str | None:
    """Which schema a file falls under, by its name and top-level keys (None: not a calcli input)."""
    if path.name == "kpi_layouts.yaml":
        return "kpi-layouts"
    try:
        data = load(path)
    except (InvalidInput, ValueError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if path.suffix == ".toml":
        return "config"
    if path.suffix == ".json":
        return "bulk" if "bulk_job_id" in data else None
    if "calendar" in data:
        return "calendar"
    if path.name.startswith("learned") or "learned_at" in data:
        return "learned"
    if "users" in data:
        return "preferences"
    if "formats" in data:
        return "timing"
    if "platforms" in data:
        return "limits"
    return None


def calcli_findings(kind: str, path: Path, tmp_path: Path) -> list[str]:
    """What calcli's own parser says about the file: [] when it accepts it."""
    from calcli.files.calendar import load_calendar
    from calcli.files.preferences import parse_preferences
    from calcli.files.project import load_config
    from calcli.files.timing import parse_timing_file
    from calcli.planning.bulk import load_bulk_job
    from calcli.planning.registry import load_registry

    findings = []
    try:
        if kind == "calendar":
            # The calendar's name must match its file name: give it the name it claims.
            name = str(load(path).get("calendar"))
            load_calendar(tmp_path / f"{name}.yaml", path.read_text(encoding="utf-8"))
        elif kind == "preferences":
            parse_preferences(path)
        elif kind == "timing":
            parse_timing_file(path, findings)
        elif kind == "learned":
            from calcli.files.timing import apply_learned, load_timing

            apply_learned(path, load_timing(learned=False).formats, findings)
        elif kind == "limits":
            shutil.copy(path, tmp_path / "limits.yaml")
            load_registry(tmp_path)
        elif kind == "kpi-layouts":
            from calcli.analytics.kpi import load_layouts

            assert path.samefile(ROOT / "timing_data" / "kpi_layouts.yaml")  # calcli reads only the shipped one
            load_layouts()
        elif kind == "config":
            load_config(path)
        elif kind == "bulk":
            load_bulk_job(path)
    except InvalidInput as exc:
        findings.extend(exc.findings)
    return [f.message for f in findings]


def schema_errors(kind: str, path: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(json.loads(schema_text(kind)))
    out = []
    stack = list(validator.iter_errors(load(path)))
    while stack:  # the errors inside anyOf branches too: they say where in the file the mistake is
        e = stack.pop()
        out.append(f"{'/'.join(map(str, e.absolute_path))}: {e.message}")
        stack.extend(e.context or ())
    return sorted(out)


SHIPPED = {
    ROOT / "calcli.toml": "config",
    ROOT / "preferences.yaml": "preferences",
    ROOT / "examples" / "bulk.json": "bulk",
    ROOT / "timing_data" / "limits.yaml": "limits",
    ROOT / "timing_data" / "kpi_layouts.yaml": "kpi-layouts",
    **{p: "calendar" for p in sorted((ROOT / "calendars").glob("*.yaml"))},
    **{
        p: "timing"
        for p in sorted((ROOT / "timing_data").glob("*.yaml"))
        if p.name not in ("limits.yaml", "kpi_layouts.yaml", "learned.yaml")
    },
}


def fixture_files() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".yaml", ".json", ".toml") and path.is_file():
            kind = kind_of(path)
            if kind is not None:
                out.append((path, kind))
    return out


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_each_schema_is_a_valid_draft_2020_12_schema_and_the_shipped_file_is_up_to_date(name):
    from calcli.schemas.build import text

    shipped = schema_text(name)
    schema = json.loads(shipped)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert shipped == text(name), f"calcli/schemas/{name}.json is stale: run python -m calcli.schemas.build"


@pytest.mark.parametrize("path,kind", list(SHIPPED.items()), ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_every_shipped_example_is_valid_for_calcli_and_for_its_schema(path, kind, tmp_path):
    assert kind_of(path) == kind
    assert calcli_findings(kind, path, tmp_path) == []
    assert schema_errors(kind, path) == []


@pytest.mark.parametrize("path,kind", fixture_files(), ids=[str(p.relative_to(FIXTURES)) for p, _ in fixture_files()])
def test_a_fixture_calcli_accepts_the_schema_accepts_too(path, kind, tmp_path):
    """No false alarms in the editor: whatever calcli reads without a finding, the schema passes."""
    if calcli_findings(kind, path, tmp_path):
        pytest.skip("calcli rejects this fixture (an invalid-input scenario)")
    assert schema_errors(kind, path) == []


REJECTED = [
    # (fixture, schema, the path the schema flags, what calcli says)
    ("calendar_item_typo.yaml", "calendar", "items/0", "unknown key 'platfrom' (did you mean 'platform'?)"),
    ("calendar_bad_status.yaml", "calendar", "items/0/status", "items.status: 'done' is not one of planned"),
    ("calendar_blackout_no_end.yaml", "calendar", "blackouts/0", "blackouts: missing required key 'end'"),
    ("preferences_bad_day.yaml", "preferences", "users/user_123/platforms/linkedin/avoid_days",
     "avoid_days: 'funday' is not a weekday (mon … sun)"),
    ("preferences_number_spacing.yaml", "preferences", "users/user_123/defaults/min_spacing",
     'min_spacing: 4 was read as a number; quote it if it is text: "4"'),
    ("timing_unquoted_time.yaml", "timing", "formats/short/windows/0/start",
     'start: 12:30 was read as the number 750 (YAML 1.1 reads HH:MM as base 60); quote it: "12:30"'),
    ("timing_window_typo.yaml", "timing", "formats/video/windows/0", "unknown key 'scor'"),
    ("learned_window_typo.yaml", "learned", "platforms/tiktok/formats/video/0", "unknown key 'sore'"),
    ("limits_bad_count.yaml", "limits", "platforms/x/fields/caption/count",
     "count: 'bytes' is not one of chars, utf16, x-weighted"),
    ("limits_unknown_field.yaml", "limits", "platforms/linkedin/fields",
     "unknown field 'bio' (known: title, caption, tags_chars, hashtags, mentions)"),
    ("config_bad_slot.toml", "config", "planner/slot_minutes", "slot_minutes: must be one of 5, 10, 15, 20, 30, 60"),
    ("config_no_user.toml", "config", "project", "user: missing or empty"),
    ("bulk_bad_platform.json", "bulk", "videos/0/platforms/1", "videos[0].platforms: unknown platform 'myspace'"),
    ("bulk_slash_id.json", "bulk", "bulk_job_id", "bulk_job_id: missing, empty or containing '/'"),
]  # fmt: skip


@pytest.mark.parametrize("name,kind,where,message", REJECTED, ids=[r[0] for r in REJECTED])
def test_a_broken_file_is_rejected_by_both_the_schema_and_calcli(name, kind, where, message, tmp_path):
    path = ECO / name
    assert kind_of(path) == kind
    said = calcli_findings(kind, path, tmp_path)
    assert any(message in m for m in said), said
    flagged = schema_errors(kind, path)
    assert any(e.startswith(where + ":") for e in flagged), flagged


@pytest.mark.parametrize(
    "name,kind",
    [("calendar_spelled.yaml", "calendar"), ("preferences_full_names.yaml", "preferences"),
     ("bulk_extra_keys.json", "bulk"), ("learned.yaml", "learned")],
)  # fmt: skip
def test_spellings_calcli_accepts_are_not_flagged_by_the_schema(name, kind, tmp_path):
    path = ECO / name
    assert calcli_findings(kind, path, tmp_path) == []
    assert schema_errors(kind, path) == []


def test_the_schema_enums_come_from_the_parsers():
    from calcli.core.model import KPI_COLUMNS, PLATFORM_IDS, ScheduleStatus
    from calcli.schemas.build import KPI_COLUMNS as SCHEMA_COLUMNS

    assert SCHEMA_COLUMNS == KPI_COLUMNS
    calendar = json.loads(schema_text("calendar"))
    item = calendar["properties"]["items"]["items"]
    assert item["properties"]["platform"]["anyOf"][0]["enum"] == [*PLATFORM_IDS, "twitter"]
    assert item["properties"]["status"]["enum"] == [*(s.value for s in ScheduleStatus), None]  # null: planned
    assert item["additionalProperties"] is False
    assert item["required"] == ["id", "key", "video", "platform", "format", "at"]


def test_calcli_schema_prints_a_schema_exactly_as_shipped(run):
    result = run("schema", "calendar")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == schema_text("calendar")
    assert json.loads(result.stdout)["title"] == "calcli calendars/NAME.yaml"


def test_calcli_schema_alone_lists_the_schemas_with_what_each_describes(run):
    listed = run("schema")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0] == "name\tfile\tdescribes"
    assert lines[1] == "calendar\tcalendars/NAME.yaml\ta calendar: owner, zone, period, blackouts and items"
    assert [line.split("\t")[0] for line in lines[1:]] == list(SCHEMAS)
    assert run("schema", "--list").stdout == listed.stdout
    as_json = run("schema", "--list", "--json")
    assert json.loads(as_json.stdout)[-1] == {
        "name": "bulk",
        "file": "bulk.json",
        "describes": "a bulk job from the video pipeline (calcli plan bulk.json)",
    }


def test_an_unknown_schema_name_is_a_usage_error_naming_the_valid_ones(run):
    result = run("schema", "calender")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no schema 'calender'; the schemas are: calendar, preferences, timing, learned, limits, kpi-layouts, "
        "config, bulk.\n"
    )
