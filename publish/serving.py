"""Datasette metadata generated from the schema, and the serve command line.

Descriptions and units come from catalog.schema, never written twice.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from catalog import schema
from catalog.pretraining import ONE_ROW_PER_RUN

TITLE = "cegdb: compute-equivalent gains database"
DESCRIPTION = (
    "A sourced catalog of AI models, accelerators and algorithmic innovations. Every number is a "
    "claim with its source, locator and quote; model and hardware rows are resolved from the claims, "
    "and disagreeing claims are listed in `conflict`. The catalog is licensed CC BY 4.0; the `license` "
    "column of `source` names each upstream source's own licence (e.g. Epoch AI's data: CC BY 4.0). "
    "Charts: /-/dashboards/cegdb. How to cite: /cite.")
LICENSE = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_URL = "https://github.com/cegdb/cegdb"

# What people browse and how they slice it.
TABLE_OPTIONS: dict[str, dict] = {
    "model": {
        "facets": ["organization_id", "domain", "accessibility", "attention", "hardware_id", "release_year"],
        "sort_desc": "release_date",
        "label_column": "name",
        # 40 columns x 100 rows of HTML is most of the page's time at 100,000 models; 50 rows
        # is a screenful and keeps the 95th percentile near the 150 ms target.
        "size": 50,
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
    "ablation": {"facets": ["innovation_id", "evidence", "confidence", "gain_basis"], "sort": "id"},
    "benchmark_result": {"facets": ["benchmark", "architecture", "evidence", "confidence"],
                         "sort": "publication_date"},
    "compute_estimate": {"facets": ["hardware_id", "precision"], "sort_desc": "operation_count_flop"},
    "run": {"facets": ["innovation_id", "series", "arm", "evidence", "compute_method", "origin"], "sort": "id"},
    "verdict": {"facets": ["compute_class", "source_id", "innovation_id"], "sort": "innovation_id"},
    "ceg_estimate": {"facets": ["innovation_id", "method", "basis", "evidence", "censored", "extrapolated"]},
    "innovation_summary": {"facets": ["compute_class", "tentative", "agreement", "basis"], "sort": "innovation_id"},
    "progress_estimate": {"facets": ["quantity"]},
    "snapshot": {"sort_desc": "fetched_at"},
    "release": {"sort_desc": "built_at"},
}

# Resolved model columns shown side by side by the compare_models query.
COMPARE_COLUMNS = ("organization_id", "release_date", "accessibility", "parameters", "active_parameters",
                   "training_tokens", "training_compute_flop", "training_compute_method", "gpu_hours",
                   "hardware_id", "hardware_count", "training_precision", "context_length", "attention",
                   "num_layers", "hidden_size", "num_heads", "kv_heads", "moe_experts", "moe_active_experts",
                   "moe_shared_experts", "positional", "activation", "norm", "norm_position", "vocab_size")


def _compare_sql() -> str:
    parts = [f"select '{c}' as field, cast(a.{c} as text) as model_a, cast(b.{c} as text) as model_b, {i} as n "
             f"from a, b" for i, c in enumerate(COMPARE_COLUMNS)]
    return ("with a as (select * from model where id = :model_a), b as (select * from model where id = :model_b)\n"
            + "\nunion all ".join(parts) + "\norder by n")

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
  parameters, active_parameters, training_tokens, gpu_hours, hardware_id, same_pretraining_as
from model where training_compute_flop is not null order by training_compute_flop desc""",
    },
    "pretraining_runs": {
        "title": "Pre-training runs, each counted once (models that share a run listed together)",
        "sql": """select coalesce(same_pretraining_as, id) as run_counted_under, count(*) as models,
  group_concat(id, ', ') as model_ids
from (select id, same_pretraining_as from model order by id) group by 1 order by 1""",
    },
    "row_checks": {
        "title": "Rows that fail a reader's check: impossible MFU, compute far from 6ND, fine-tune compute, guesses",
        "sql": """select m.id, m.name, m.origin, m.training_compute_flop, m.gpu_hours, m.hardware_id,
  m.training_tokens, m.warning_fields, m.warnings
from model m
where exists (select 1 from json_each(m.warning_fields) j
              where j.value in ('implied_mfu', 'compute_vs_6nd', 'finetune_compute', 'speculative_compute'))
  and (:check = '' or exists (select 1 from json_each(m.warning_fields) k where k.value = :check))
order by m.id""",
    },
    "compare_models": {
        "title": "Two models side by side (resolved values)",
        "sql": _compare_sql(),
    },
    "ceg_table": {
        "title": "Compute-equivalent gains per innovation, with intervals and class",
        "sql": """select e.innovation_id, i.name, s.compute_class, e.method, e.basis, e.compute_flop, e.ceg, e.lower,
  e.upper, e.censored, e.extrapolated, e.evidence, e.source_id, e.series, e.ablation_ids, e.run_ids, e.note
from ceg_estimate e join innovation i on i.id = e.innovation_id
left join innovation_summary s on s.innovation_id = e.innovation_id and s.basis = e.basis
order by e.innovation_id, e.basis, e.compute_flop""",
    },
    "classes": {
        "title": "Compute dependence per innovation: our class beside the literature's",
        "sql": """select s.innovation_id, i.name, s.compute_class as our_class, s.tentative,
  round(s.slope, 3) as slope, round(s.slope_lower, 3) as slope_lower, round(s.slope_upper, 3) as slope_upper,
  s.compute_min, s.compute_max, s.n_points, s.n_series, s.literature_class, s.literature_sources, s.agreement,
  s.reason
from innovation_summary s join innovation i on i.id = s.innovation_id
where s.basis = 'flop'
order by s.compute_class = 'insufficient evidence', s.innovation_id""",
    },
    "innovation_adoption": {
        "title": "Innovation adoption: first model and number of models per year",
        "sql": """select i.id as innovation, i.name, m.release_year as year, count(*) as models,
  min(m.release_date) as first_release
from model_innovation mi join innovation i on i.id = mi.innovation_id join model m on m.id = mi.model_id
group by i.id, m.release_year order by i.id, year""",
    },
}


def dashboards(database: str) -> dict:
    """datasette-dashboards charts (vega-lite specs), rendered from the bundled vega-lite."""
    def point(query, x, y, color, title, x_type="quantitative", log_x=False):
        encoding = {"x": {"field": x, "type": x_type, "title": x},
                    "y": {"field": y, "type": "quantitative", "scale": {"type": "log"}, "title": y},
                    "color": {"field": color, "type": "nominal"},
                    "tooltip": [{"field": "label", "type": "nominal"}, {"field": x}, {"field": y}]}
        if log_x:
            encoding["x"]["scale"] = {"type": "log"}
        return {"title": title, "db": database, "query": query, "library": "vega-lite",
                "display": {"mark": {"type": "point", "filled": True, "size": 60}, "encoding": encoding}}

    return {"cegdb": {
        "title": "cegdb charts",
        "description": "Training compute over time, compute-equivalent gains against compute, GPU-hours by hardware.",
        "layout": [["compute-over-time", "compute-over-time"], ["ceg-vs-compute", "gpu-hours-by-hardware"]],
        "charts": {
            "compute-over-time": point(
                "select name as label, release_date, training_compute_flop, organization_id from model "
                "where training_compute_flop is not null and release_date is not null "
                f"and {ONE_ROW_PER_RUN} order by release_date",
                "release_date", "training_compute_flop", "organization_id",
                "Training compute against release date, by organisation", x_type="temporal"),
            "ceg-vs-compute": point(
                "select innovation_id || ' (' || method || ')' as label, innovation_id, compute_flop, ceg "
                "from ceg_estimate where basis = 'flop' and compute_flop is not null "
                "and (extrapolated is null or extrapolated = 0) order by innovation_id, compute_flop",
                "compute_flop", "ceg", "innovation_id", "Compute-equivalent gain against compute (FLOP basis)",
                log_x=True),
            "gpu-hours-by-hardware": {
                "title": "GPU-hours by training hardware (each pre-training run once)", "db": database, "library": "vega-lite",
                "query": "select coalesce(hardware_id, 'unknown') as hardware, sum(gpu_hours) as gpu_hours, "
                         "count(*) as models from model where gpu_hours is not null "
                         f"and {ONE_ROW_PER_RUN} group by 1 order by 2 desc",
                "display": {"mark": {"type": "bar", "tooltip": True},
                            "encoding": {"x": {"field": "hardware", "type": "nominal", "sort": "-y"},
                                         "y": {"field": "gpu_hours", "type": "quantitative",
                                               "title": "GPU-hours (sum over pre-training runs)"}}},
            },
        },
    }}


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
        "plugins": {"datasette-dashboards": dashboards(database)},
    }


def write_metadata(path: Path, database: str = "cegdb") -> Path:
    path.write_text(json.dumps(metadata(database), indent=2, sort_keys=True) + "\n")
    return path


# The one place the served settings are written: `cegdb serve` passes them as --setting flags,
# the tests and the latency benchmark to Datasette(settings=...).
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 2000,
    # Facets are chosen in the metadata; suggesting more runs a GROUP BY per column on every
    # table page (seconds at 100,000 models).
    "suggest_facets": False,
    "allow_download": True,
}


def datasette_args(db_path: Path, metadata_path: Path, inspect_path: Path | None, host: str,
                   port: int) -> list[str]:
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "-m", str(metadata_path),
            "-h", host, "-p", str(port)]
    for name, value in SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        args += ["--setting", name, text]
    if inspect_path is not None:
        args += ["--inspect-file", str(inspect_path)]
    return args


def inspect(db_path: Path, out: Path) -> Path:
    """Table counts for an immutable database, so Datasette does not count on every page."""
    subprocess.run([sys.executable, "-m", "datasette", "inspect", str(db_path), "--inspect-file", str(out)],
                   check=True)
    return out


FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: the child gets SIGTERM when `cegdb serve` dies, even by SIGKILL (prctl PR_SET_PDEATHSIG).
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def run_forwarding_signals(args: list[str]) -> int:
    """Run Datasette as a child and pass SIGTERM, SIGINT and SIGHUP on to it; its exit status
    (128 + N when a signal N ended it).

    `subprocess.call` would leave the child serving when a supervisor stops `cegdb serve` with
    SIGTERM (the parent dies, the child is re-parented and goes on listening).
    """
    child = subprocess.Popen(args, preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    previous = {}

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    for signum in FORWARDED_SIGNALS:
        previous[signum] = signal.signal(signum, forward)
    try:
        while True:
            try:
                code = child.wait()
                # Killed by signal N: the shell's 128 + N, not sys.exit(-N) (which exits 256 - N).
                return 128 - code if code < 0 else code
            except KeyboardInterrupt:  # pragma: no cover - a handler was replaced under us
                forward(signal.SIGINT, None)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
