# Two commands a researcher needs: `make serve` and `make test`. Both work on a fresh machine with
# nothing but Python: they create .venv and install the pinned dependencies first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= cegdb.sqlite
PORT   ?= 8001

.PHONY: serve test build validate bench clean refresh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

build: $(VENV)/.installed
	$(BIN)/cegdb build --db $(DB)

serve: build
	$(BIN)/cegdb serve --db $(DB) --port $(PORT)

validate: $(VENV)/.installed
	$(BIN)/cegdb validate --db $(DB)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

# Re-run every scrape of datasets/scrapes.yaml (network) and rewrite the generated layer;
# then review `git diff datasets/`. ONLY=epoch-chips runs one.
refresh: $(VENV)/.installed
	$(BIN)/cegdb scrape all $(if $(ONLY),--only $(ONLY))

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/build_scale.py

clean:
	rm -rf $(VENV) $(DB) *.metadata.json *.inspect.json .pytest_cache
