"""bulk.json validation (calcli.planning.bulk.load_bulk_job): every problem of every video, in order, each with its
line; and what a valid video becomes (platform aliases and duplicates, hashtags without '#')."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcli.core.errors import InvalidInput
from calcli.core.model import JobPriority, JobStatus, Platform
from calcli.planning.bulk import load_bulk_job

GOOD = {
    "video_job_id": "ok",
    "title": " T ",
    "hashtags": ["#a", "b"],
    "platforms": ["TikTok", "twitter", "x", "tiktok", "youtube"],
    "duration_seconds": 12.5,
    "aspect_ratio": "4:5",
    "status": " Completed ",
    "priority": "HIGH",
    "ready_at": "2026-07-01T09:00:00Z",
    "extra": 1,
}
BAD = [
    {
        "video_job_id": "bad/id",
        "platforms": ["youtube", "myspace", 7],
        "status": "done",
        "priority": 3,
        "ready_at": "soon",
        "duration_seconds": True,
        "aspect_ratio": "wide",
        "hashtags": "a",
        "title": 5,
        "description": ["x"],
    },
    {"video_job_id": "ok", "title": "dup"},
    "not an object",
    {"video_job_id": "p", "platforms": "youtube", "hashtags": [1], "duration_seconds": 0},
    {"video_job_id": "q", "hashtags": None, "aspect_ratio": 16},
]
KNOWN = "(known: youtube, tiktok, instagram, x, linkedin, facebook; twitter = x)"
# The findings of BAD after GOOD, as the file is written (indent=2: one key a line).
EXPECTED = [
    (27, "videos[1].video_job_id: missing, empty or containing '/'"),
    (28, f"videos[1].platforms: unknown platform 'myspace' {KNOWN}"),
    (28, f"videos[1].platforms: unknown platform 7 {KNOWN}"),
    (33, "videos[1].status: 'done' is not one of pending, processing, completed, failed, canceled"),
    (34, "videos[1].priority: 3 is not one of low, normal, high, urgent"),
    (35, "videos[1].ready_at: invalid ready_at: Invalid isoformat string: 'soon'"),
    (36, "videos[1].duration_seconds: expected a positive number of seconds, found True"),
    (37, "videos[1].aspect_ratio: 'wide' is not an aspect ratio like 9:16"),
    (38, "videos[1].hashtags: expected a list of strings"),
    (39, "videos[1].title: expected text"),
    (40, "videos[1].description: expected text"),
    (45, "videos[2].video_job_id: duplicate 'ok' (also videos[0])"),
    (48, "videos[3]: expected an object"),
    (51, "videos[4].platforms: expected a list of platform ids"),
    (52, "videos[4].hashtags: expected a list of strings"),
    (55, "videos[4].duration_seconds: expected a positive number of seconds, found 0"),
    (59, "videos[5].hashtags: expected a list of strings"),
    (60, "videos[5].aspect_ratio: 16 is not an aspect ratio like 9:16"),
]


def _write(tmp_path: Path, videos: list) -> Path:
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps({"bulk_job_id": "bj", "user_id": "u", "videos": videos}, indent=2))
    return path


def test_every_problem_of_every_video_in_order_with_its_line(tmp_path):
    path = _write(tmp_path, [GOOD, *BAD])
    with pytest.raises(InvalidInput) as exc:
        load_bulk_job(path)
    found = [(f.path, f.line, f.column, f.message) for f in exc.value.findings]
    assert found == [(str(path), line, None, message) for line, message in EXPECTED]


def test_a_valid_video_as_calcli_reads_it(tmp_path):
    job = load_bulk_job(_write(tmp_path, [GOOD, {"video_job_id": "plain"}]))
    good, plain = job.videos
    assert (good.video_job_id, good.title, good.description, good.duration_seconds, good.aspect_ratio) == (
        "ok",
        " T ",
        "",
        12.5,
        "4:5",
    )
    assert good.hashtags == ["a", "b"]
    assert good.platforms == [Platform.TIKTOK, Platform.X, Platform.YOUTUBE]  # aliases and duplicates folded
    assert (good.status, good.priority) == (JobStatus.COMPLETED, JobPriority.HIGH)
    assert good.ready_at == datetime(2026, 7, 1, 9, tzinfo=UTC)
    assert (plain.title, plain.hashtags, plain.platforms, plain.status, plain.priority, plain.ready_at) == (
        "",
        [],
        None,
        JobStatus.COMPLETED,
        None,
        None,
    )
    assert plain.hashtags is not good.hashtags


@pytest.mark.parametrize("value", ["[]", "{}", '["9:16"]'])
def test_an_aspect_ratio_that_is_a_list_or_object_is_a_finding_not_a_crash(project, run, value):
    (project / "bulk.json").write_text(
        '{"bulk_job_id": "bj", "user_id": "user_123", "videos": [\n'
        '  {"video_job_id": "v",\n'
        f'   "aspect_ratio": {value}}}\n'
        "]}\n"
    )
    r = run("plan", "bulk.json", "--calendar", "Q3")
    shown = repr(json.loads(value))
    assert (r.exit_code, r.stderr) == (
        3,
        f"Error: bulk.json:3: videos[0].aspect_ratio: {shown} is not an aspect ratio like 9:16\n",
    )


# ---------------------------------------------------------------- line numbers (calcli.files.yamlio.json_lines)


def _node_lines(text: str, paths: list[tuple]) -> list[int]:
    """The lines as the YAML node tree of the text gives them (how calcli found them before json_lines)."""
    import re

    import yaml

    from calcli.files.yamlio import Loader

    text = re.sub(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", r"\\u0020", text.replace("\t", " "))
    try:
        root = next(iter(yaml.compose_all(text, Loader=Loader)), None)
    except yaml.YAMLError:
        root = None
    out = []
    for keys in paths:
        node, last = root, 1
        for k in keys:
            if node is None:
                break
            last = node.start_mark.line + 1
            if isinstance(node, yaml.MappingNode) and isinstance(k, str):
                node = next((v for key, v in node.value if getattr(key, "value", None) == k), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(k, int) and k < len(node.value):
                node = node.value[k]
            else:
                node = None
        out.append(node.start_mark.line + 1 if node is not None else last)
    return out


PATHS = [
    (),
    ("videos",),
    ("videos", 0),
    ("videos", 0, "status"),
    ("videos", 1, "status"),
    ("videos", 5, "status"),
    ("videos", "x"),
    ("videos", 0, 0),
    ("missing", 0),
    ("a",),
    ("a", "b"),
]
TEXTS = {
    "duplicate keys: the first counts": '{"videos": [\n{"status": 1,\n"status": 2}],\n"videos": [{"status": 3}]}',
    "a duplicate list after a scalar": '{"videos": 5,\n"videos": [\n{"status": 3}]}',
    "YAML line breaks in a string": '{"a": "x\u2028y\u2029z\x85",\r\n"videos": [\r{"status": 1}]}',
    "a character YAML refuses": '{"videos": [\n{"status": "\x7f"}]}',
    "tabs and an escaped emoji": '{\t"videos":\t[\n{"status": "\\ud83d\\ude80"}]}',
    "a key that is not text in YAML": '{"videos": [{"1": 1,\n"status": true}],\n"a": {"b": null}}',
    "compact": '{"videos":[{"status":"x"},{"status":"y"}],"a":{"b":[]}}',
    "a list at the top": '[\n{"videos": 1}]',
}


def test_json_lines_equal_the_yaml_node_tree_lines():
    from calcli.files.jsonio import json_lines

    for name, text in TEXTS.items():
        json.loads(text)  # every case is valid JSON
        assert json_lines(text, PATHS) == _node_lines(text, PATHS), name


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "videos", "0"]), inner),
    max_leaves=25,
)
key_paths = st.lists(
    st.lists(st.sampled_from(["a", "b", "videos", "0", 0, 1, 2]), max_size=4).map(tuple), min_size=1, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, paths=key_paths, indent=st.sampled_from([None, 0, 1, 2, "\t"]))
def test_json_lines_equal_the_yaml_node_tree_lines_on_any_json(value, paths, indent):
    from calcli.files.jsonio import json_lines

    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert json_lines(text, paths) == _node_lines(text, paths)
