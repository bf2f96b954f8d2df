"""One training run, one set of numbers.

Two catalog models can be one pre-training run: Llama 3.3 70B Instruct repeats Llama 3.1 70B's
7.0M GPU-hours, ~15T tokens and compute. A model file says so with `same_pretraining_as: <model id>`;
the model row keeps its own claims (they are what its sources say), and `model.same_pretraining_as`
names the model the run is counted under. Every aggregate over models (sums, counts of runs, charts
of compute) takes only the rows where `same_pretraining_as` is NULL: `ONE_ROW_PER_RUN`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# The SQL condition every aggregate over training runs adds (on the `model` table or an alias).
ONE_ROW_PER_RUN = "same_pretraining_as IS NULL"


def one_row_per_run(alias: str = "") -> str:
    """`ONE_ROW_PER_RUN` for a query that names the model table `alias`."""
    return f"{alias}.{ONE_ROW_PER_RUN}" if alias else ONE_ROW_PER_RUN


def link_shared_pretraining(conn: Connection, links: list[tuple[str, str, str]], refs, problems) -> None:
    """Write model.same_pretraining_as for (model id, run model id, "file:line") after checking the target.

    The target must be a model in the catalog that does not itself point elsewhere: a run is counted
    under exactly one model, so chains are flattened by the curator, not guessed here.
    """
    pointing = {model: target for model, target, _ in links}
    for model, target, where in links:
        path, _, line = where.rpartition(":")
        if target not in refs.models:
            problems.add(path, int(line), "same_pretraining_as", f"unknown model id {target!r}")
        elif target in pointing:
            problems.add(path, int(line), "same_pretraining_as",
                         f"{target!r} itself shares the run of {pointing[target]!r}: name {pointing[target]!r}, "
                         "the model the run is counted under")
        else:
            conn.execute(text("UPDATE model SET same_pretraining_as = :t WHERE id = :m"), {"t": target, "m": model})
