"""xlkpi.builds: the build names, reading the meta key, which conversions new-month allows."""

from __future__ import annotations

import pytest

from xlkpi import builds


def test_the_two_builds_and_the_default() -> None:
    assert builds.BUILDS == ("addin", "native")
    assert builds.DEFAULT_BUILD == "addin"
    assert builds.check_build("native") == "native"
    with pytest.raises(ValueError, match="addin, native"):
        builds.check_build("vba")


def test_a_book_without_the_key_is_an_addin_book() -> None:
    assert builds.build_of({}) == "addin"
    assert builds.build_of({"build": ""}) == "addin"
    assert builds.build_of({"build": " native "}) == "native"
    assert builds.build_of({"build": "something else"}) == "addin"


def test_addin_may_become_native_but_not_back() -> None:
    assert builds.conversion_allowed("addin", "native")
    assert builds.conversion_allowed("native", "native")
    assert builds.conversion_allowed("addin", "addin")
    assert not builds.conversion_allowed("native", "addin")
