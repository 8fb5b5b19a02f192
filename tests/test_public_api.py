"""The public API is explicit: sorted ``__all__`` everywhere, every name importable."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import scarwise

LIGHT_PACKAGES = [m.name for m in pkgutil.iter_modules(scarwise.__path__, "scarwise.") if m.ispkg]


def test_top_level_all_is_sorted_and_complete() -> None:
    assert list(scarwise.__all__) == sorted(scarwise.__all__)
    for name in scarwise.__all__:
        assert hasattr(scarwise, name), name
    assert {"score", "ScarwiseError", "InvalidInput", "NotFound", "__version__"} <= set(
        scarwise.__all__
    )


@pytest.mark.parametrize("package", LIGHT_PACKAGES)
def test_subpackage_all_sorted(package: str) -> None:
    module = importlib.import_module(package)
    names = list(getattr(module, "__all__", []))
    assert names == sorted(names), package
    for name in names:
        assert hasattr(module, name), f"{package}.{name}"
