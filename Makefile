# courtwatch — two commands on a fresh machine: `make demo` and `make test`.
# Everything the project needs is installed here: the Python environment and,
# as root, the Debian packages (Chromium for browser tests, CJK fonts).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-deps
DEB_PACKAGES := chromium fonts-noto-cjk poppler-utils postgresql
JAVA_PACKAGE := openjdk-17-jre-headless
PORT   ?= 8501

.PHONY: demo test lint test-fast eval eval-real bench fuzz docs serve system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages: installed when missing (needs root, as on the dev and CI machines).
# Spark (tests/test_spark_engine.py, --engine spark) needs a Java 17 runtime: any `java` on PATH will do.
$(SYSTEM_STAMP): | $(STAMP)
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v java >/dev/null 2>&1 || missing="$$missing $(JAVA_PACKAGE)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (run as root or: sudo apt-get install$$missing)"; fi; \
	fi
	touch $(SYSTEM_STAMP)

system-deps: $(SYSTEM_STAMP)

# sample → ingest → detect → dashboard on http://127.0.0.1:$(PORT), all local.
demo: $(STAMP)
	$(BIN)/courtwatch demo --db demo/courtwatch.duckdb --data demo/import --port $(PORT)

serve: $(STAMP)
	$(BIN)/courtwatch serve --db demo/courtwatch.duckdb --port $(PORT)

# Lint first: pyflakes and import order (ruff), types of the core and the run machinery (mypy).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) $(SYSTEM_STAMP) lint
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not slow"

# Detection quality against planted ground truth on held-out seeds → docs/quality.md
eval: $(STAMP)
	$(BIN)/python -m courtwatch.devtools.evaluate --seeds 1001 1002 1003 --scale 1 --out docs/quality.md
	$(BIN)/python -m courtwatch.devtools.evaluate --seeds 1001 1002 1003 --scale 10 --noise 0.35 --out docs/quality-scale10.md

# Detection quality on real published judgments (../shared/realdata), beside its plain baseline → docs/quality-real.md
REAL_SEEDS ?= 20261124 1 2 3 4 5 6 7 8 9
eval-real: $(STAMP)
	$(BIN)/python -m courtwatch.devtools.evaluate_real --seeds $(REAL_SEEDS) --out docs/quality-real.md

# Timings of sample, ingest and detect → docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python -m courtwatch.devtools.bench --out docs/benchmarks.md

# The import fuzz suite with many more examples than CI runs (docs/reliability.md).
fuzz: $(STAMP)
	COURTWATCH_FUZZ_PROFILE=long $(BIN)/python -m pytest -q tests/test_fuzz_import.py

# Documents generated from the code: model cards.
docs: $(STAMP)
	$(BIN)/python -m courtwatch.reporting.modelcards --out docs/detectors.md
	# the briefing's detector catalog (read instead of importing the registry; tests/test_briefing_catalog.py)
	$(BIN)/python -m courtwatch.reporting.detector_info

clean:
	rm -rf demo build *.egg-info .pytest_cache test-artifacts
