"""One training run, one set of numbers.

Two catalog models can be one pre-training run: Llama 3.3 70B Instruct repeats Llama 3.1 70B's
7.0M GPU-hours, ~15T tokens and compute. A model file says so with `same_pretraining_as: <model id>`;
the model row keeps its own claims (they are what its sources say), and `model.same_pretraining_as`
names the model the run is counted under. Rows of the generated layer whose names are one run's
base and post-trained checkpoints are linked by name (`link_checkpoints_of_one_run`). Every aggregate over models (sums, counts of runs, charts
of compute) takes only the rows where `same_pretraining_as` is NULL: `ONE_ROW_PER_RUN`.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from catalog.names import name_key

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


# A base checkpoint and the post-trained checkpoints of one run, by name: "DeepSeek-V3-Base" and
# "DeepSeek-V3", "Llama-3.1-8B-Instruct" and "Llama 3.1 8B", "gemma-2-9b-it" and "Gemma 2 9B".
POST_TRAINING_SUFFIX = re.compile(r"[-_ ](?P<kind>base|instruct|chat|it)$", re.IGNORECASE)
# "BERT-Base" beside "BERT-Large", "Luminous Base" beside "Luminous Extended": there "Base" is a size.
SIZE_WORDS = ("tiny", "mini", "small", "medium", "large", "xl", "xxl", "huge", "giant", "extended", "supreme")


def link_checkpoints_of_one_run(conn: Connection, distinct: set[frozenset], curated: set[str]) -> list[tuple[str, str]]:
    """Set `same_pretraining_as` between rows whose names are one run's base and post-trained
    checkpoints (docs/generated-layer.md, "One pre-training run"); returns the (model, run) links.

    The run is counted under the plain name ("DeepSeek-V3"; "X-Base" when there is no plain row),
    unless only the other row has a training-compute claim: the row with the numbers is counted.
    A curated row never gets a link from this rule (its file says `same_pretraining_as` itself),
    a link already set is kept, and two rows a file marks distinct are left apart.
    """
    models = conn.execute(text("SELECT id, name, same_pretraining_as FROM model ORDER BY id")).all()
    by_key: dict[str, list[str]] = {}
    for mid, name, _ in models:
        by_key.setdefault(name_key(name), []).append(mid)
    current = {mid: shared for mid, _, shared in models}
    with_compute = {row[0] for row in conn.execute(text(
        "SELECT DISTINCT entity_id FROM claim WHERE entity_type = 'model' AND field = 'training_compute_flop' "
        "AND rank <> 'deprecated'"))}
    pointers: dict[str, str] = {}
    for mid, name, _ in models:
        match = POST_TRAINING_SUFFIX.search(name)
        if not match or match.start() == 0:
            continue
        stem = name_key(name[: match.start()])
        is_base = match.group("kind").lower() == "base"
        if is_base and any(stem + size in by_key for size in SIZE_WORDS):
            continue
        keys = [stem] if is_base else [stem, stem + "base"]
        targets = next((ids for ids in (by_key.get(k, []) for k in keys) if ids), [])
        if len(targets) != 1 or targets[0] == mid:
            continue  # none, or two rows of that name: not ours to guess
        post, plain = mid, targets[0]
        if post in with_compute and plain not in with_compute:
            post, plain = plain, post
        if post in curated or current.get(post) or post in pointers or frozenset((post, plain)) in distinct:
            continue
        pointers[post] = plain
    links = []
    for post, plain in sorted(pointers.items()):
        seen = {post}
        while (pointers.get(plain) or current.get(plain)) and plain not in seen:  # flatten: X-Base -> X -> ...
            seen.add(plain)
            plain = pointers.get(plain) or current[plain]
        if plain not in seen:
            links.append((post, plain))
    for post, plain in links:
        conn.execute(text("UPDATE model SET same_pretraining_as = :t WHERE id = :m"), {"t": plain, "m": post})
    return links
