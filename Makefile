# zkwork: everything a fresh machine with Python >= 3.11, Node.js and npm needs.
#   make test    install (venv + pinned npm peers) and run the whole test suite
#   make report  install and run the notebooks into a dated report in reports/ (zkwork report)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.zkwork-installed

.PHONY: install test test-fast report clean

install: $(STAMP) node_modules/.zkwork-installed

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
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

clean:
	rm -rf $(VENV) node_modules reports build *.egg-info
	find zkwork tests -name __pycache__ -type d -prune -exec rm -rf {} +
