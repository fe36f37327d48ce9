# calcli tasks. `make` alone lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := build/demo

.DEFAULT_GOAL := help
.PHONY: help install demo test lint bench docs clean

help:  ## list the tasks
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@# -qq: errors only. What -q still printed is not calcli's: the machine's pip.conf names an index folder that is
	@# missing, and setuptools notes that an editable install can be shadowed by a same-named folder.
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install calcli with its test tools

demo: $(STAMP)  ## plan the example bulk job, then analyse the example KPI data, in a scratch copy
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@cp -r calcli.toml preferences.yaml calendars examples $(DEMO)/
	cd $(DEMO) && ../../$(BIN)/calcli check --format text
	cd $(DEMO) && ../../$(BIN)/calcli db sync
	cd $(DEMO) && ../../$(BIN)/calcli plan examples/bulk.json --calendar launch
	cd $(DEMO) && ../../$(BIN)/calcli plan examples/bulk.json --calendar launch --dry-run
	cd $(DEMO) && ../../$(BIN)/calcli explain it_8fec3c9dae
	cd $(DEMO) && ../../$(BIN)/calcli sql "SELECT platform, count(*) AS items, round(avg(score), 3) AS avg_score FROM content_schedule_items GROUP BY platform ORDER BY platform"
	@# Performance: 26 simulated weeks of posts and their numbers (examples/analytics/generate.py).
	@cp examples/analytics/history.yaml $(DEMO)/calendars/
	cd $(DEMO) && ../../$(BIN)/calcli kpi import examples/analytics/kpi.csv
	cd $(DEMO) && ../../$(BIN)/calcli analyze --calendar history --until 2026-06-30 --format table
	cd $(DEMO) && ../../$(BIN)/calcli optimize --calendar launch --format table

test: $(STAMP)  ## run the whole test suite (on every core)
	$(BIN)/python -m pytest -n auto --dist worksteal

lint: $(STAMP)  ## ruff, the import contracts (layers, no cycles) and the structure checks (sizes, SQL in the store)
	$(BIN)/ruff check calcli tests bench .ci
	$(BIN)/python .ci/imports.py
	$(BIN)/python .ci/checks.py calcli

bench: $(STAMP)  ## print speed figures beside baselines measured in the same run
	$(BIN)/python bench/run.py

docs: $(STAMP)  ## regenerate docs/commands.md and the man page docs/calcli.1 from the commands' own help texts
	$(BIN)/python -m calcli.cli.docgen > docs/commands.md.tmp && mv docs/commands.md.tmp docs/commands.md
	$(BIN)/python -m calcli.cli.mangen > docs/calcli.1.tmp && mv docs/calcli.1.tmp docs/calcli.1

clean:  ## remove the virtualenv and build output
	rm -rf $(VENV) build dist *.egg-info
