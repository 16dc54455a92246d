"""Hashable stand-ins for option values: equal when the values are, different when not."""

from __future__ import annotations

import pytest

from tentaclio_fs.frozen import frozen


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}, True),
        ({"known_hosts": ()}, {"known_hosts": []}, False),
        ({"headers": {"A": "1"}}, {"headers": {"A": "2"}}, False),
        ({"s": {2, 1}}, {"s": {1, 2}}, True),
        ([{"x": 1}], [{"x": 1}], True),
        ({"ctx": bytearray(b"k")}, {"ctx": bytearray(b"k")}, True),
        ("text", "text", True),
    ],
)
def test_frozen_values_compare_like_the_values(left, right, equal):
    assert hash(frozen(left)) is not None
    assert (frozen(left) == frozen(right)) is equal
