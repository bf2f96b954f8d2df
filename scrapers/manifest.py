"""The scrape manifest, datasets/scrapes.yaml: every scrape that writes the generated layer.

`cegdb scrape all` reads it and runs each entry's `args` as `cegdb scrape <args>` in this process
(click's own `main(standalone_mode=False)`), in file order, so a scrape that others depend on
(Epoch's chips before Epoch's models) runs first. The runner knows nothing about any one scrape:
a new entry needs only its arguments. A failing scrape is reported and the others still run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import click
import yaml

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEYS = {"name", "description", "args", "writes"}


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Scrape:
    name: str
    args: tuple[str, ...]
    writes: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Result:
    name: str
    exit_code: int
    message: str = ""


def load_manifest(path: Path) -> list[Scrape]:
    if not Path(path).exists():
        raise ManifestError(f"{path}: no such manifest")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}") from exc
    raw = data.get("scrapes") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ManifestError(f"{path}: expected a mapping with a `scrapes:` list")
    scrapes, seen = [], set()
    for number, entry in enumerate(raw, 1):
        where = f"{path}: scrapes[{number}]"
        if not isinstance(entry, dict):
            raise ManifestError(f"{where}: expected a mapping")
        unknown = set(entry) - KEYS
        if unknown:
            raise ManifestError(f"{where}: unknown key(s) {sorted(unknown)} (allowed: {sorted(KEYS)})")
        name = entry.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise ManifestError(f"{where}: name {name!r} must be kebab-case")
        if name in seen:
            raise ManifestError(f"{where}: duplicate name {name!r}")
        seen.add(name)
        args, writes = entry.get("args"), entry.get("writes") or []
        if not isinstance(args, list) or not args or not all(isinstance(a, (str, int, float)) for a in args):
            raise ManifestError(f"{where} ({name}): args must be a non-empty list of strings")
        if not isinstance(writes, list) or not all(isinstance(w, str) for w in writes):
            raise ManifestError(f"{where} ({name}): writes must be a list of paths")
        scrapes.append(Scrape(name, tuple(str(a) for a in args), tuple(writes), str(entry.get("description") or "")))
    return scrapes


def run_manifest(scrapes: list[Scrape], group: click.Group, *, offline: bool = False,
                 only: tuple[str, ...] = ()) -> list[Result]:
    """Run the scrapes (or those named in `only`) through the `cegdb scrape` click group."""
    unknown = set(only) - {s.name for s in scrapes}
    if unknown:
        raise ManifestError(f"--only: no scrape named {', '.join(sorted(unknown))} "
                            f"(known: {', '.join(s.name for s in scrapes)})")
    results = []
    for entry in scrapes:
        if only and entry.name not in only:
            continue
        args = [*entry.args, *(["--offline"] if offline and "--offline" not in entry.args else [])]
        try:
            group.main(args=args, prog_name="cegdb scrape", standalone_mode=False)
            results.append(Result(entry.name, 0))
        except click.exceptions.Exit as exc:
            results.append(Result(entry.name, exc.exit_code))
        except click.ClickException as exc:
            exc.show()
            results.append(Result(entry.name, exc.exit_code, exc.format_message()))
        except click.exceptions.Abort:
            results.append(Result(entry.name, 1, "aborted"))
    return results
