# retainkit: two commands do everything on a fresh machine with Python 3.11+.
#   make report   executes every notebook on the demo shop into reports/
#   make test     lint + unit tests + notebook execution + browser tests (installs chromium)
#   make lab      opens JupyterLab on notebooks/
#   make app      serves the notebooks as a dashboard app on http://127.0.0.1:8866/
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser report app test lint unit lab demo-data lock clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "retainkit needs Python 3.11 or newer; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark]"
	@# byte-compile the package once: with PYTHONDONTWRITEBYTECODE set, every notebook
	@# kernel would otherwise compile its 167 modules again (about 0.3 s each time)
	$(BIN)/python -m compileall -q retainkit
	@touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests: installed when missing (as root or with sudo)
browser:
	@sh .ci/chromium.sh

report: $(STAMP)
	$(BIN)/retainkit report $(ARGS)

app: $(STAMP)
	$(BIN)/retainkit app $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check retainkit tests benchmarks notebooks
	$(BIN)/ruff format --check retainkit tests benchmarks notebooks

unit: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -m "not notebooks and not browser" $(PYTEST_ARGS)

test: $(STAMP) browser
	$(BIN)/ruff check retainkit tests benchmarks notebooks
	$(BIN)/ruff format --check retainkit tests benchmarks notebooks
	MPLBACKEND=Agg $(BIN)/python -m pytest $(PYTEST_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

demo-data: $(STAMP)
	$(BIN)/retainkit simulate --out data/demo_shop

# re-resolve the newest versions the pyproject allows and record them
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[dev,spark]"
	{ echo "# Versions the test suite last passed with (pip freeze of .venv); make install uses them as"; \
	  echo "# constraints so a fresh machine gets the same environment. Refresh: make lock."; \
	  .venv-lock/bin/python -m pip freeze | grep -v -e '^-e' -e '^retainkit'; } > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
