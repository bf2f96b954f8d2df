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
from catalog.pretraining import ONE_ROW_PER_RUN, one_row_per_run

TITLE = "cegdb: compute-equivalent gains database"
DESCRIPTION = (
    "A sourced catalog of AI models, accelerators and algorithmic innovations. Every number is a "
    "claim with its source, locator and quote; model and hardware rows are resolved from the claims, "
    "and disagreeing claims are listed in the conflict table. The catalog is licensed CC BY 4.0; the license "
    "column of the source table names each upstream source's own licence (e.g. Epoch AI's data: CC BY 4.0).")
# The same with links, as Datasette shows it (its plain description would show Markdown as typed).
DESCRIPTION_HTML = (
    DESCRIPTION.replace("the conflict table", '<a href="/cegdb/conflict">the conflict table</a>')
    + ' Start at the <a href="/">front page</a>; <a href="/-/dashboards/cegdb">charts</a>; '
    '<a href="/cite">how to cite</a>.')
LICENSE = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_URL = "https://github.com/cegdb/cegdb"

# What people browse and how they slice it.
TABLE_OPTIONS: dict[str, dict] = {
    "model": {
        # Three facets fit the first screen; domain, attention and hardware_id stay one click away
        # (the column menu's "Facet by this").
        "facets": ["organization_id", "release_year", "accessibility"],
        # Ten values a facet keep the rows on the first screen ("..." shows the rest).
        "facet_size": 10,
        "sort_desc": "release_date",
        "label_column": "name",
        # 40 columns x 100 rows of HTML is most of the page's time at 100,000 models; 50 rows
        # is a screenful and keeps the 95th percentile near the 150 ms target.
        "size": 50,
    },
    "claim": {"facets": ["field", "method", "confidence"], "sort": "id"},
    "hardware": {"facets": ["vendor", "kind"], "sort_desc": "bf16_tflops", "label_column": "name",
                 "fts_table": "hardware_fts", "fts_pk": "rowid"},
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
        "title": "Claims that disagree: source against source, then a source against our arithmetic",
        "description": "ratio: the larger value over the smaller (x14.6 reads better than a difference that "
                       "saturates at 1). 'our arithmetic' is cegdb's own 6ND or GPU-hours estimate.",
        "hide_sql": True,
        "sql": """select case when ca.origin = 'derived:cegdb' or cb.origin = 'derived:cegdb'
    then 'source vs our arithmetic' else 'source vs source' end as kind,
  f.entity_type, f.entity_id, f.field, ca.value_num as value_a, ca.unit, sa.title as source_a,
  cb.value_num as value_b, sb.title as source_b,
  case when min(abs(ca.value_num), abs(cb.value_num)) > 0
    then round(max(abs(ca.value_num), abs(cb.value_num)) / min(abs(ca.value_num), abs(cb.value_num)), 2) end as ratio,
  coalesce(ca.value_text, '') || coalesce(' / ' || cb.value_text, '') as text_values
from conflict f join claim ca on ca.id = f.claim_a_id join claim cb on cb.id = f.claim_b_id
join source sa on sa.id = f.source_a_id join source sb on sb.id = f.source_b_id
order by 1 = 'source vs our arithmetic', f.entity_id, f.field""",
    },
    "compute_by_model": {
        "title": "Models by training compute, with how it was obtained",
        "description": "100 models a page: page 2 is ?page=2.",
        "hide_sql": True,
        "sql": """select id, name, release_date, training_compute_flop, training_compute_method,
  parameters, active_parameters, training_tokens, gpu_hours, hardware_id, same_pretraining_as
from model where training_compute_flop is not null order by training_compute_flop desc, id
limit 100 offset 100 * max(coalesce(cast(nullif(:page, '') as integer), 1) - 1, 0)""",
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
order by s.compute_class in ('undetermined', 'insufficient evidence'), s.compute_class = 'insufficient evidence',
  s.innovation_id""",
    },
    "training_cost": {
        "title": "Training cost of frontier runs over time: ours (cloud, amortised, with bounds) beside "
                 "publishers' and Epoch's (docs/cost.md)",
        "sql": """with m as (
  select id, name, release_date, training_compute_flop from model
  where training_compute_flop is not null and release_date is not null
    and base_model_id is null and same_pretraining_as is null),
r as (
  select m.*, 1 + (select count(*) from m m2 where m2.release_date <= m.release_date
                   and m2.training_compute_flop > m.training_compute_flop) as compute_rank_when_released
  from m)
select r.id, r.name, r.release_date, r.training_compute_flop, r.compute_rank_when_released,
  cl.value_num as cloud_usd, cl.lower as cloud_lower_usd, cl.upper as cloud_upper_usd,
  am.value_num as amortized_usd, am.lower as amortized_lower_usd, am.upper as amortized_upper_usd,
  (select group_concat(replace(replace(c.field, 'training_cost_', ''), '_usd', '') || ' '
                       || cast(cast(round(c.value_num) as integer) as text) || ' (' || c.source_id || ')', '; ')
   from claim c where c.entity_type = 'model' and c.entity_id = r.id and c.field like 'training_cost_%'
     and c.origin <> 'derived:cegdb' and c.rank <> 'deprecated') as published_usd
from r
left join claim cl on cl.entity_type = 'model' and cl.entity_id = r.id and cl.field = 'training_cost_cloud_usd'
  and cl.origin = 'derived:cegdb'
left join claim am on am.entity_type = 'model' and am.entity_id = r.id and am.field = 'training_cost_amortized_usd'
  and am.origin = 'derived:cegdb'
where r.compute_rank_when_released <= 10 and r.release_date >= '2016'
  and (cl.id is not null or am.id is not null
       or exists (select 1 from claim c where c.entity_type = 'model' and c.entity_id = r.id
                  and c.field like 'training_cost_%'))
order by r.release_date""",
    },
    "innovation_adoption": {
        "title": "Innovation adoption: first model and number of models per year",
        "sql": """select i.id as innovation, i.name, m.release_year as year, count(*) as models,
  min(m.release_date) as first_release
from model_innovation mi join innovation i on i.id = mi.innovation_id join model m on m.id = mi.model_id
group by i.id, m.release_year order by i.id, year""",
    },
}


# Canned queries open on their results; the SQL is one click away ("Show SQL").
for _query in CANNED_QUERIES.values():
    _query.setdefault("hide_sql", True)


# The compute-over-time chart starts where the models are: 8 or more a year with training compute
# from 2012 on (1 to 6 a year before it, back to 1950); the earlier ones are in the model table.
DENSE_SINCE = "2012-01-01"
# Colour by a handful of groups: the organisations with most models, the rest as "other".
TOP_ORGANISATIONS = 8


def dashboards(database: str) -> dict:
    """datasette-dashboards charts (vega-lite specs), rendered from the bundled vega-lite."""
    def point(query, x, y, color, title, x_title, y_title, x_type="quantitative", log_x=False, color_title=None,
              y_format=".0e"):
        encoding = {"x": {"field": x, "type": x_type, "title": x_title},
                    "y": {"field": y, "type": "quantitative", "scale": {"type": "log"}, "title": y_title,
                          "axis": {"format": y_format}},
                    "color": {"field": color, "type": "nominal", "title": color_title or color,
                              "scale": {"scheme": "tableau10"}},
                    "shape": {"field": color, "type": "nominal", "title": color_title or color},
                    "tooltip": [{"field": "label", "type": "nominal", "title": "name"},
                                {"field": x, "title": x_title}, {"field": y, "title": y_title, "format": ".3g"}]}
        if log_x:
            encoding["x"]["scale"] = {"type": "log"}
            encoding["x"]["axis"] = {"format": ".0e"}
        return {"title": title, "db": database, "query": query, "library": "vega-lite",
                "display": {"mark": {"type": "point", "filled": True, "size": 60}, "encoding": encoding}}

    top_orgs = (f"select organization_id from model where training_compute_flop is not null "
                f"and organization_id is not null group by 1 order by count(*) desc limit {TOP_ORGANISATIONS}")
    return {"cegdb": {
        "title": "cegdb charts",
        "description": "Training compute over time, compute-equivalent gains against compute, GPU-hours by "
                       "hardware, training cost over time.",
        "layout": [["compute-over-time", "compute-over-time"], ["ceg-vs-compute", "gpu-hours-by-hardware"],
                   ["training-cost-over-time", "training-cost-over-time"]],
        "charts": {
            "compute-over-time": point(
                "select m.name as label, m.release_date, m.training_compute_flop, "
                f"case when m.organization_id in ({top_orgs}) then coalesce(o.name, m.organization_id) "
                "when m.organization_id is null then 'unknown' else 'other' end as developer "
                "from model m left join organization o on o.id = m.organization_id "
                "where m.training_compute_flop is not null and m.release_date is not null "
                f"and m.release_date >= '{DENSE_SINCE}' and {one_row_per_run('m')} "
                "order by m.release_date",
                "release_date", "training_compute_flop", "developer",
                f"Training compute against release date, since {DENSE_SINCE[:4]} (the {TOP_ORGANISATIONS} developers "
                "with most models in colour)",
                "Release date", "Training compute (FLOP, log scale)", x_type="temporal", color_title="Developer"),
            "ceg-vs-compute": point(
                "select i.name || ' (' || e.method || ')' as label, i.category, e.compute_flop, e.ceg "
                "from ceg_estimate e join innovation i on i.id = e.innovation_id "
                "where e.basis = 'flop' and e.compute_flop is not null "
                "and (e.extrapolated is null or e.extrapolated = 0) order by i.category, e.compute_flop",
                "compute_flop", "ceg", "category", "Compute-equivalent gain against compute (FLOP basis), by kind of "
                "innovation", "Training compute (FLOP, log scale)", "Compute-equivalent gain (×, log scale)",
                log_x=True, color_title="Kind of innovation", y_format="~g"),
            "gpu-hours-by-hardware": {
                "title": "GPU-hours by training hardware (each pre-training run once; the 15 largest)", "db": database,
                "library": "vega-lite",
                "query": "select coalesce(h.name, m.hardware_id, 'unknown') as hardware, sum(m.gpu_hours) as gpu_hours, "
                         "count(*) as models from model m left join hardware h on h.id = m.hardware_id "
                         f"where m.gpu_hours is not null and {one_row_per_run('m')} "
                         "group by 1 order by 2 desc limit 15",
                "display": {"mark": {"type": "bar", "tooltip": True},
                            "encoding": {"x": {"field": "hardware", "type": "nominal", "sort": "-y",
                                               "title": "Training hardware"},
                                         "y": {"field": "gpu_hours", "type": "quantitative",
                                               "title": "GPU-hours (sum over pre-training runs)",
                                               "axis": {"format": "~s"}}}},
            },
            "training-cost-over-time": _cost_chart(database),
        },
    }}


def _cost_chart(database: str) -> dict:
    """Our training-cost estimates against release date, log scale, each with its bounds (docs/cost.md)."""
    x = {"field": "release_date", "type": "temporal", "title": "release date"}
    color = {"field": "method", "type": "nominal"}
    return {
        "title": "Training cost against release date (nominal USD; cloud and amortised, bars are the bounds)",
        "db": database, "library": "vega-lite",
        "query": "select m.name as label, m.release_date, "
                 "replace(replace(c.field, 'training_cost_', ''), '_usd', '') as method, "
                 "c.value_num as cost_usd, c.lower as lower_usd, c.upper as upper_usd "
                 "from claim c join model m on m.id = c.entity_id "
                 "where c.entity_type = 'model' and c.origin = 'derived:cegdb' "
                 "and c.field like 'training_cost_%' "
                 f"and m.release_date is not null and {one_row_per_run('m')} order by m.release_date",
        "display": {"layer": [
            {"mark": {"type": "rule", "opacity": 0.4},
             "encoding": {"x": x, "y": {"field": "lower_usd", "type": "quantitative", "scale": {"type": "log"},
                                        "title": "training cost (USD)"},
                          "y2": {"field": "upper_usd"}, "color": color}},
            {"mark": {"type": "point", "filled": True, "size": 50},
             "encoding": {"x": x, "y": {"field": "cost_usd", "type": "quantitative", "scale": {"type": "log"}},
                          "color": color,
                          "tooltip": [{"field": "label", "type": "nominal"}, {"field": "method", "type": "nominal"},
                                      {"field": "cost_usd", "type": "quantitative", "format": ".3s"},
                                      {"field": "lower_usd", "type": "quantitative", "format": ".3s"},
                                      {"field": "upper_usd", "type": "quantitative", "format": ".3s"}]}},
        ]},
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
    # Alembic's bookkeeping table is no reader's business.
    tables["alembic_version"] = {"hidden": True}
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "description_html": DESCRIPTION_HTML.replace("/cegdb/", f"/{database}/"),
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
