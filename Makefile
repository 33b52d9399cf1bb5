# 小店助手 — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
LOCKS := requirements.lock requirements-browser.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) | sha256sum | cut -c1-12)

.PHONY: install train run run-scaled test lint format lock clean

install: $(STAMP)

$(STAMP): $(LOCKS)
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  PYTHON310=$$(scripts/find-python310); \
	  echo "creating $(VENV) with $$PYTHON310"; \
	  $$PYTHON310 -m venv $(VENV); \
	fi; \
	echo "installing pinned dependencies (first time: a few minutes) ..."; \
	$(PY) -m pip install --quiet --upgrade pip==24.0; \
	$(PY) -m pip install --progress-bar on -r requirements.lock -r requirements-browser.lock; \
	rm -f $(VENV)/.installed-*; touch $@

train: install
	@$(PY) -m bot.training

run: train
	@$(PY) -m bot.run

# The production profile on this machine: PostgreSQL, Redis and nginx (Debian packages,
# scripts/install-system-packages), two gateways, two Rasa servers, one action server.
run-scaled: train
	@$(PY) -m bot.cluster

test: install train
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m pytest

lint: install
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

# Re-resolve requirements.in into requirements.lock (needs the package registry).
lock:
	@set -e; tmp=$$(mktemp -d); $$(scripts/find-python310) -m venv $$tmp/venv; \
	$$tmp/venv/bin/pip install --quiet -r requirements.in; \
	$$tmp/venv/bin/pip freeze > requirements.lock; rm -rf $$tmp

clean:
	rm -rf build var/logs reports .pytest_cache
