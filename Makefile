# Every target has a '## help' line: `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
DEV := CAMPAIGN_ENV=development

.DEFAULT_GOAL := help
.PHONY: help run test lint format translations compile-translations bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

compile-translations: $(INSTALLED) ## compile the message catalogues (.po to .mo)
	$(BIN)/pybabel -q compile -d campaign/translations

translations: $(INSTALLED) ## extract messages, update every catalogue, compile
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o campaign/translations/messages.pot .
	$(BIN)/pybabel update -i campaign/translations/messages.pot -d campaign/translations
	$(BIN)/pybabel compile -d campaign/translations

run: $(INSTALLED) compile-translations ## set up and serve on http://127.0.0.1:5000 (SQLite in instance/)
	$(DEV) $(BIN)/flask --app campaign db upgrade
	$(DEV) $(BIN)/flask --app campaign demo samples
	@echo
	@echo "To moderate, create an account first (in another terminal):"
	@echo "  CAMPAIGN_ENV=development $(BIN)/flask --app campaign moderators create you@example.org --admin"
	@echo
	$(DEV) $(BIN)/flask --app campaign run --host 127.0.0.1 --port 5000

lint: $(TEST_INSTALLED) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_INSTALLED) ## rewrite the code in the house style
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(TEST_INSTALLED) compile-translations lint ## lint, then the whole test suite
	$(BIN)/pytest

bench: $(TEST_INSTALLED) compile-translations ## benchmark at 100,000 stories on SQLite and PostgreSQL; appends to BENCHMARKS.md
	$(BIN)/python -m bench.run $(BENCH_ARGS)
