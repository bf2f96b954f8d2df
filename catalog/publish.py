"""Datasette metadata generated from the schema, and the serve command line.

Descriptions and units come from catalog.schema, never written twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from catalog import schema

TITLE = "cegdb: compute-equivalent gains database"
DESCRIPTION = (
    "A sourced catalog of AI models, accelerators and algorithmic innovations. Every number is a "
    "claim with its source, locator and quote; model and hardware rows are resolved from the claims, "
    "and disagreeing claims are listed in `conflict`.")
LICENSE = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_URL = "https://github.com/cegdb/cegdb"

# What people browse and how they slice it.
TABLE_OPTIONS: dict[str, dict] = {
    "model": {
        "facets": ["organization_id", "domain", "accessibility", "attention", "hardware_id", "release_year"],
        "sort_desc": "release_date",
        "label_column": "name",
    },
    "claim": {"facets": ["field", "method", "confidence", "evidence", "origin", "entity_type"],
              "sort": "id"},
    "hardware": {"facets": ["vendor", "kind"], "sort_desc": "bf16_tflops", "label_column": "name"},
    "innovation": {"facets": ["category", "axis", "year", "compute_class"], "sort": "year",
                   "label_column": "name"},
    "source": {"facets": ["kind", "year"], "sort_desc": "year", "label_column": "title"},
    "organization": {"facets": ["country", "kind"], "label_column": "name"},
    "model_innovation": {"facets": ["innovation_id"]},
    "conflict": {"facets": ["field", "entity_type"]},
    "ablation": {"facets": ["innovation_id", "evidence", "gain_basis"]},
}

CANNED_QUERIES = {
    "model_provenance": {
        "title": "Provenance of one model: every claim with its source",
        "sql": """select c.field, coalesce(c.value_text, c.value_num) as value, c.unit, c.method,
  c.confidence, c.evidence, c.rank, s.title as source, s.url, c.locator, c.quote, c.note
from claim c join source s on s.id = c.source_id
where c.entity_type = 'model' and c.entity_id = :model_id
order by c.field, c.id""",
    },
    "conflicts": {
        "title": "Claims that disagree, with both sources",
        "sql": """select f.entity_type, f.entity_id, f.field, f.value_a, sa.title as source_a, f.value_b,
  sb.title as source_b, round(f.relative_difference, 3) as relative_difference
from conflict f join source sa on sa.id = f.source_a_id join source sb on sb.id = f.source_b_id
order by f.entity_id, f.field""",
    },
    "compute_by_model": {
        "title": "Models by training compute, with how it was obtained",
        "sql": """select id, name, release_date, training_compute_flop, training_compute_method,
  parameters, active_parameters, training_tokens, gpu_hours, hardware_id
from model where training_compute_flop is not null order by training_compute_flop desc""",
    },
    "innovation_adoption": {
        "title": "Innovation adoption: first model and number of models per year",
        "sql": """select i.id as innovation, i.name, m.release_year as year, count(*) as models,
  min(m.release_date) as first_release
from model_innovation mi join innovation i on i.id = mi.innovation_id join model m on m.id = mi.model_id
group by i.id, m.release_year order by i.id, year""",
    },
}


def metadata(database: str = "cegdb") -> dict:
    tables = {}
    for table in schema.TABLES:
        columns = {}
        for name, (description, unit) in schema.column_docs(table).items():
            columns[name] = f"{description} [{unit}]" if unit else description
        tables[table.__tablename__] = {
            "description": (table.__doc__ or "").strip(),
            "columns": columns,
            **TABLE_OPTIONS.get(table.__tablename__, {}),
        }
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": "cegdb (code and curated datasets)",
        "source_url": SOURCE_URL,
        "databases": {database: {"tables": tables, "queries": CANNED_QUERIES}},
    }


def write_metadata(path: Path, database: str = "cegdb") -> Path:
    path.write_text(json.dumps(metadata(database), indent=2, sort_keys=True) + "\n")
    return path


def datasette_args(db_path: Path, metadata_path: Path, inspect_path: Path | None, host: str,
                   port: int) -> list[str]:
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "-m", str(metadata_path),
            "-h", host, "-p", str(port),
            "--setting", "sql_time_limit_ms", "3000",
            "--setting", "max_returned_rows", "2000",
            "--setting", "allow_download", "on"]
    if inspect_path is not None:
        args += ["--inspect-file", str(inspect_path)]
    return args


def inspect(db_path: Path, out: Path) -> Path:
    """Table counts for an immutable database, so Datasette does not count on every page."""
    subprocess.run([sys.executable, "-m", "datasette", "inspect", str(db_path), "--inspect-file", str(out)],
                   check=True)
    return out
