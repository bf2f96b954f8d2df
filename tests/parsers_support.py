"""Shared by the tests/test_parsers_*.py files: where the fixtures and the reference samples are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parsers"


def fixture(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def reference_dir(kind: str) -> Path:
    """REPO/../shared/reference/<kind>, or a clean skip where this checkout has no shared samples."""
    path = REPO.parent / "shared" / "reference" / kind
    if not path.is_dir():
        pytest.skip(f"no reference samples at {path} (they live beside the repository, not in it)")
    return path


def reference_files(kind: str, pattern: str) -> list:
    """For parametrize at collection time: the sample files, or one skipped case saying why."""
    path = REPO.parent / "shared" / "reference" / kind
    if path.is_dir():
        return [pytest.param(p, id=p.name) for p in sorted(path.glob(pattern))]
    reason = f"no reference samples at {path} (they live beside the repository, not in it)"
    return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-reference-samples")]
