VENV ?= .venv
PY := $(VENV)/bin/python

# torch first, pinned to the CPU build found beside pip (find-links): sentence-transformers alone would pull
# a CUDA build of several GB.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $@

.PHONY: run test lint
run: $(VENV)/.installed
	$(VENV)/bin/beleidsgraaf ingest corpus/
	$(VENV)/bin/beleidsgraaf stats
	$(VENV)/bin/beleidsgraaf serve

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
