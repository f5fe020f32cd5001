# Every target has a '## help' line: `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
# The Nu HTML Checker (npm package vnu-jar), installed locally for the HTML validity tests.
VNU_DIR := .cache/vnu
VNU_JAR := $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar
DEV := CAMPAIGN_ENV=development

.DEFAULT_GOAL := help
.PHONY: help run test lint format translations compile-translations bench bench-cold bench-upload bench-voice vnu screenshots lighthouse

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

# Sorted, unwrapped and without line numbers, so that two branches adding
# different strings touch different lines of the catalogues and merge cleanly.
translations: $(INSTALLED) ## extract messages, update every catalogue, compile
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k lazy_pgettext:1c,2 --no-location --sort-output --no-wrap -o campaign/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i campaign/translations/messages.pot -d campaign/translations
	$(BIN)/pybabel compile -d campaign/translations

run: $(INSTALLED) compile-translations ## set up and serve on http://127.0.0.1:5000 (SQLite in instance/)
	$(DEV) $(BIN)/flask --app campaign db upgrade
	$(DEV) $(BIN)/flask --app campaign demo samples
	@echo
	@echo "To moderate, create an account first (in another terminal):"
	@echo "  CAMPAIGN_ENV=development $(BIN)/flask --app campaign moderators create you@example.org --admin"
	@echo
	$(DEV) $(BIN)/flask --app campaign run --host 127.0.0.1 --port 5000

lint: $(TEST_INSTALLED) ## ruff check, ruff format --check, and the import contracts (no package cycles)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(TEST_INSTALLED) ## rewrite the code in the house style
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# --ignore-scripts: the package carries vnu.jar itself; its install script would
# download a Java runtime, and the system Java (17+) is used instead.
$(VNU_JAR):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix $(VNU_DIR) --ignore-scripts --no-audit --no-fund --silent vnu-jar@^26; \
	else echo "npm not found: the HTML validity tests will skip (and fail in CI)"; fi

vnu: $(VNU_JAR) ## install the Nu HTML Checker (vnu.jar) into .cache/vnu

# One test process per core (pytest-xdist); TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
# The tests' throw-away files (SQLite databases, media, browser profiles) in memory
# where the machine has a tmpfs: each SQLite checkpoint's fsync costs tens of
# milliseconds on a disk, and a test makes a fresh database.
TEST_TMPDIR ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm/campaign-tests || echo /tmp/campaign-tests)

test: $(TEST_INSTALLED) compile-translations lint vnu ## lint, then the whole test suite
	mkdir -p $(TEST_TMPDIR)
	TMPDIR=$(TEST_TMPDIR) $(BIN)/pytest -n $(TEST_WORKERS)

bench: $(TEST_INSTALLED) compile-translations ## benchmark at 100,000 stories on SQLite and PostgreSQL (appends to BENCHMARKS.md), then Lighthouse
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(MAKE) bench-cold
	CAMPAIGN_ENV=development $(BIN)/python -m bench.lighthouse

# COLD_ARGS=--sizes=10000,100000 for a quicker run.
bench-cold: $(TEST_INSTALLED) compile-translations ## pages with no cache at 10k, 100k and 1M stories, SQLite and PostgreSQL: ratios to the baseline, growth table, size per story (appends to BENCHMARKS.md)
	$(BIN)/python -m bench.cold $(COLD_ARGS)

bench-upload: $(TEST_INSTALLED) compile-translations ## bytes and time at 32 KB/s of a 12 MP phone photo sent from Chromium, with and without JavaScript
	$(BIN)/python -m bench.upload

bench-voice: $(INSTALLED) ## median time, CPU and memory of transcoding a 5-minute recording (also part of make bench)
	$(BIN)/python -m bench.voice_transcode

lighthouse: $(TEST_INSTALLED) compile-translations ## Lighthouse on the phone profile (home, gallery, a story, the share form; en and ar): fails below 95 in any category (needs Node.js)
	CAMPAIGN_ENV=development $(BIN)/python -m bench.lighthouse

screenshots: $(TEST_INSTALLED) compile-translations ## phone and laptop screenshots of every public page, English and Arabic, in test-artifacts/screenshots/
	CAMPAIGN_ENV=development $(BIN)/python -m tests.browser.screenshots
