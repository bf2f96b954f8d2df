"""The floors of docs/architecture.md: a package imports only the floors below it.

Walks every module's syntax tree, so an import inside a function (the lazy kind that hides a cycle)
counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Who may import whom. migrations/ is the schema's own history and sits on the ground floor with
# catalog/ (catalog/db.py runs it; its versions read catalog's helpers).
ALLOWED: dict[str, set[str]] = {
    "catalog": {"catalog", "migrations"},
    "migrations": {"catalog", "migrations"},
    "scrapers": {"catalog", "migrations", "scrapers"},
    "analysis": {"catalog", "migrations", "analysis"},
    "publish": {"catalog", "migrations", "analysis", "publish"},
    "cegdb": {"catalog", "migrations", "scrapers", "analysis", "publish", "cegdb"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) for every absolute import of one of our packages in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in ALLOWED:
                found.append((node.lineno, top))
    return found


def test_the_checker_sees_a_lazy_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from publish import serving\n    import analysis.ceg\n")
    assert imported_packages(module) == [(2, "publish"), (3, "analysis")]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_floor_imports_one_above_it(package):
    offending = []
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules: the layout test is looking in the wrong place"
    for path in files:
        for line, top in imported_packages(path):
            if top not in ALLOWED[package]:
                offending.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    assert not offending, "imports from a lower floor to a higher one:\n" + "\n".join(offending)


def test_the_dockerfile_copies_every_shipped_package():
    """`pip install .` in the image fails, or ships a CLI that cannot import, when a package is left out."""
    import tomllib

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    top_level = {name.split(".")[0] for name in packages}
    dockerfile = (ROOT / "Dockerfile").read_text()
    missing = sorted(p for p in top_level if f"COPY {p} ./{p}" not in dockerfile)
    assert not missing, f"Dockerfile does not COPY {missing}"
