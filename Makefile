# Sluice: `make run` installs everything and serves the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-fast lint lock eval-scifact clean-data

install: $(INSTALLED)

# torch first and alone: `torch==2.13.0` takes this machine's local CPU build;
# an unpinned torch pulled in by sentence-transformers would fetch a CUDA build of several GB.
$(INSTALLED): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

run: install
	$(PY) manage.py serve

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# The fast suite: everything but the slow end-to-end tests (about a minute).
test-fast: install
	$(PY) -m pytest -m "not slow"

lint: install
	$(VENV)/bin/ruff check .

# Regenerate the lock from the current venv (after changing pyproject.toml).
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v -E '^(torch|nvidia-|triton)' > requirements.lock

eval-scifact: install
	$(PY) manage.py eval_retrieval ../shared/eval/beir/scifact --mode all --json

clean-data:
	rm -rf .data
