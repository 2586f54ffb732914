# Two commands on a fresh machine (python3 3.11, pip, make):
#   make reports   set up .venv with the reports extra, run the bundled scenarios into reports/
#   make test      set up .venv with the dev extra, run the whole suite (notebooks included)
#   make docs      build the documentation site into site/ (strict: any warning fails)
# The core (numpy, pandas, pydantic, pyyaml) runs validate and run; each target installs the
# extras it needs (pyproject.toml), and a stamp says only what its own install put there.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
LABSTAMP := $(VENV)/.installed-lab
APPSTAMP := $(VENV)/.installed-app

.PHONY: reports test quick browser libreoffice lab lint schema lock clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[reports,workbook]'
	touch $@

$(DEVSTAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,dask,docs]'
	touch $@ $(STAMP)

$(LABSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[lab]'
	touch $@

# report.pdf is printed by headless Chromium: the browser target installs it when it can
reports: $(STAMP) browser
	$(BIN)/ccgmodels report $$($(BIN)/ccgmodels list) --out reports --runs 2000 --seed 20190401 --workers 2

# tests/test_browser.py opens the reports in Debian's chromium through chromedriver: install both
# when either is missing and we may (root, apt-get); otherwise leave the machine alone. The test
# fails rather than skips without them (CCGMODELS_REQUIRE_BROWSER=1), so CI cannot miss it.
browser:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; } \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

# tests/inputs/test_book_libreoffice.py opens the assumptions workbook in Debian's headless
# LibreOffice Calc (recalculation, PDF): installed the same way, and required by make test
# (CCGMODELS_REQUIRE_LIBREOFFICE=1).
libreoffice:
	@if ! command -v soffice >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; \
	then \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-calc; \
	fi

# two test processes (pytest-xdist, pyproject.toml's addopts), a file each at a time
test: $(DEVSTAMP) browser libreoffice
	CCGMODELS_REQUIRE_BROWSER=1 CCGMODELS_REQUIRE_LIBREOFFICE=1 $(BIN)/python -m pytest

lab: $(LABSTAMP)
	$(BIN)/jupyter lab notebooks/

$(APPSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[app]'
	touch $@

# the explorer as a web page on localhost (Voila); prints the URL, Ctrl-C stops
.PHONY: app
app: $(APPSTAMP)
	$(BIN)/ccgmodels app

# the documentation site (mkdocs.yml; docs/hooks.py generates the measure glossary and the
# domain module pages): strict, so a broken link, a missing reference or docstring fails
docs: $(DEVSTAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

lint: $(DEVSTAMP)
	$(BIN)/ruff check ccgmodels tests benchmarks notebooks docs

# the quick inner loop (under a minute): everything but notebooks, batch reports, the browser,
# dask, the command-line process tests and the generated workbook round trips
quick: $(DEVSTAMP)
	$(BIN)/python -m pytest -m "not slow"

schema: $(STAMP)
	$(BIN)/ccgmodels schema > ccgmodels/data/scenario.schema.json
	$(BIN)/ccgmodels catalogue > docs/measures.md

# requirements.lock: the exact versions of the environment make test builds (core, dev, dask,
# docs, app)
lock: $(DEVSTAMP)
	$(BIN)/pip install --quiet -e '.[app]'
	{ sed -n '1,3p' requirements.lock; $(BIN)/pip freeze --exclude-editable | grep -v '^ccgmodels'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache site
