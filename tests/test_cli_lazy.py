"""`cegdb ceg FILE.csv` imports only what it runs (cegdb/cli_lazy.py): the database layer, the build,
the scrapers' parsers, pandas and scipy's optimizers and statistics cost ~1 s of CPU at every start,
a third of the 3 s budget for 16,000 runs (issue 18). The lazily added commands still work."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from click.testing import CliRunner

from cegdb.cli import main

HEAVY = ("sqlalchemy", "alembic", "sqlmodel", "bs4", "pandas", "scipy.optimize", "scipy.stats", "catalog.build")


def test_cegdb_ceg_on_a_csv_imports_none_of_the_heavy_modules(tmp_path):
    csv = tmp_path / "runs.csv"
    rows = ["innovation,arm,series,compute_flop,loss"]
    for arm, gain in (("baseline", 1.0), ("treatment", 2.0)):
        rows += [f"toy,{arm},s,{c:.3e},{1.7 + 40 * (gain * c) ** -0.08:.6f}" for c in (1e17, 1e18, 1e19, 1e20)]
    csv.write_text("\n".join(rows) + "\n")
    script = textwrap.dedent(f"""
        import sys
        from cegdb.cli import main
        try:
            main(["ceg", {str(csv)!r}, "--json"])
        except SystemExit as exc:
            assert not exc.code, exc.code
        print("LOADED", *[m for m in {HEAVY!r} if m in sys.modules])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert '"class"' in out  # it did run
    assert out.strip().splitlines()[-1] == "LOADED", out.strip().splitlines()[-1]


def test_the_lazy_commands_are_listed_and_run():
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"])
    assert listing.exit_code == 0
    for name in ("parse", "scrape", "cost", "ceg", "build"):
        assert f"\n  {name} " in listing.output, name
    for name in ("parse", "scrape", "cost"):
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, (name, result.output)


def test_the_database_layer_loads_on_first_use():
    from cegdb import cli

    assert cli.db.database_url("x.sqlite").startswith("sqlite:///")
