# zkwork: everything a fresh machine with Python >= 3.11, Node.js and npm needs.
#   make test    install (venv + pinned npm peers) and run the whole test suite
#   make report  install and run the notebooks into a dated report in reports/ (zkwork report)
# The Python environment: an active conda environment (environment.yml) or virtualenv, as it
# is; else .venv, made here. `make VENV=<dir>` chooses one.

PYTHON ?= python3
# conda's base environment is active in many shells without having been asked for: not it.
ifneq ($(VIRTUAL_ENV),)
VENV ?= $(VIRTUAL_ENV)
else ifneq ($(and $(CONDA_PREFIX),$(filter-out base,$(CONDA_DEFAULT_ENV))),)
VENV ?= $(CONDA_PREFIX)
endif
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.zkwork-installed

.PHONY: install test test-fast report clean

install: $(STAMP) node_modules/.zkwork-installed
	sh tools/install-prometheus.sh

$(STAMP): pyproject.toml
	test -x $(PY) || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet --upgrade pip; }
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.zkwork-installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow"

report: install
	$(VENV)/bin/zkwork report --out reports

# Only the .venv made here is removed, never an environment that was active.
clean:
	rm -rf .venv node_modules reports build *.egg-info
	rm -f $(STAMP)
	find zkwork tests -name __pycache__ -type d -prune -exec rm -rf {} +
