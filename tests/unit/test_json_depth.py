"""The JSON depth scan (server/api/json_depth.py): brackets in texts and escapes do not nest."""

from __future__ import annotations

import json

import pytest

from server.api.json_depth import MAX_JSON_DEPTH, is_json, too_deep


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_the_limit_itself_passes_and_one_more_is_refused() -> None:
    assert not too_deep(nested(MAX_JSON_DEPTH))
    assert too_deep(nested(MAX_JSON_DEPTH + 1))


def test_many_siblings_are_not_depth() -> None:
    assert not too_deep(json.dumps([[1]] * 1000).encode())


@pytest.mark.parametrize(
    "text",
    ["[" * 500, "{" * 500, '\\"' + "[" * 500, "\\\\" + "[" * 50, "[\\u005b" * 100],
)
def test_brackets_inside_a_text_do_not_count(text: str) -> None:
    body = json.dumps({"a": text, "b": [[["x"]]]}).encode()
    assert not too_deep(body)


def test_an_escaped_backslash_ends_before_the_quote() -> None:
    # "\\" closes the text: the brackets after it are structure again.
    body = b'["\\\\", ' + nested(MAX_JSON_DEPTH) + b"]"
    assert too_deep(body)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"", True),
        (b"application/json", True),
        (b"Application/JSON; charset=utf-8", True),
        (b"application/merge-patch+json", True),
        (b"multipart/form-data; boundary=x", False),
        (b"application/x-www-form-urlencoded", False),
        (b"application/pdf", False),
    ],
)
def test_only_json_bodies_are_read(content_type: bytes, expected: bool) -> None:
    assert is_json(content_type) is expected
