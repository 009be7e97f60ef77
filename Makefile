# The only commands anyone needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10 exactly; find one (PATH, pyenv, Debian) or explain.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
# Rasa reports usage and crashes to its servers unless told not to; users' data stays here.
export RASA_TELEMETRY_ENABLED := false
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON310)" || { echo "error: Python 3.10 not found (Rasa 3.6 needs it); install python3.10 or set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip<27" "setuptools>=68,<81" wheel
	$(PY) -m pip install -q -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

model: $(STAMP) ## train the Rasa model if its inputs changed (cached by fingerprint)
	$(PY) -m bot.engine.train

run: install model ## start everything (engine, actions, bot; sandbox without a token)
	$(PY) -m bot.stack

run-scaled: install model ## as run, with Redis, PostgreSQL and ENGINE_REPLICAS (2) engines
	$(PY) -m bot.stack --scaled

actions: install ## start only the custom-action server (loopback unless SANIC_HOST is set)
	SANIC_HOST=$${SANIC_HOST:-127.0.0.1} $(RASA) run actions --actions bot.actions --port 5055

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check bot tests
	$(VENV)/bin/ruff format --check bot tests
	$(VENV)/bin/mypy

texts-extract: install ## regenerate locales/messages.pot from domain.yml and bot/
	$(VENV)/bin/pybabel -q extract -F locales/babel.cfg -k N_ --no-location --sort-output \
		--omit-header -o locales/messages.pot .

texts-update: texts-extract ## merge new message ids into every language's .po
	$(VENV)/bin/pybabel -q update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

texts-check: install ## fail on missing, fuzzy, broken or unsafe translations
	$(PY) -m bot.core.content

rasa-validate: install ## rasa data validate
	$(RASA) data validate --data intents stories --domain domain.yml --config config.yml --fail-on-warnings

rasa-test: install model ## Rasa test stories (dialogue)
	$(RASA) test core --stories tests/stories --model models/$$($(PY) -m bot.engine.fingerprint).tar.gz \
		--fail-on-prediction-errors --out results

eval-nlu: install ## train on intents/, report held-out accuracy, tier-1 recall, speed per language
	$(PY) -m bot.engine.eval_nlu

eval-subtopics: install model ## held-out sub-topic questions: right topic, right specific answer, per language
	$(PY) -m bot.engine.eval_subtopics

bench-nlu: install ## the NLU pipeline on the public SIB-200 benchmark (th, lo, km, my)
	$(PY) -m bot.engine.bench_nlu

bench: install model ## campaign-day load through the whole stack (ARGS="--replicas 2 --scaled")
	$(PY) -m bot.engine.bench $(ARGS)

bench-engine: install model ## the bare engine's turn per kind of answer and by conversation length
	$(PY) -m bot.engine.turns $(ARGS)

bench-safety: install model ## at-risk held-out messages through the whole bot, engine up and down
	$(PY) -m bot.engine.bench_safety

quiz-report: install ## quiz figure: share of right answers before vs after the tips, per sector and language
	$(PY) -m bot.campaign.quiz_report

report: install ## campaign report (CSV + charts) of the last complete PERIOD=week|month|day into reports/
	$(PY) -m bot.campaign.report --period $(or $(PERIOD),week)

bench-campaign: install model ## figures of issue #14: report time on 100,000 events, broadcast vs chat latency
	$(PY) -m bot.campaign.bench report
	$(PY) -m bot.campaign.bench broadcast

test: install texts-check rasa-validate model lint rasa-test ## every test suite (what CI runs)
	$(VENV)/bin/pytest -q

.PHONY: help install model run run-scaled actions lint texts-extract texts-update texts-check rasa-validate rasa-test eval-nlu eval-subtopics bench-nlu bench bench-engine bench-safety quiz-report report bench-campaign test
