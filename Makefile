# Continuous Optimization for Machine Learning — one entry point for students, instructors, lecturers.
# Every recipe runs with the virtualenv's bin/ first on PATH (nbgrader calls `alembic`).

VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(abspath $(VENV))/bin
PY      := $(BIN)/python
STAMP   := $(VENV)/.installed
HW      ?=
export PATH := $(BIN):$(PATH)

.PHONY: help install course lectures slides release-all selfgrade grading-report test test-exhaustive test-all test-fast system-deps \
        test-browser lab bench lint strip clean release grade feedback export

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar off -e '.[dev]'
	@# rfc3987-syntax (jsonschema's format-nongpl extra, via nbformat and jupyter-events) builds ~35
	@# Earley parsers when jsonschema is imported: 1.2-1.5 s of start-up in every nbgrader and
	@# jupyter process. No Jupyter schema uses the iri formats it checks; without it jsonschema
	@# skips them (python-jsonschema/jsonschema#1428, #1392). Kernels never import it.
	$(PY) -m pip uninstall --yes --quiet rfc3987-syntax
	@touch $@

install: $(STAMP)  ## create .venv and install the course with its dependencies

course: $(STAMP)  ## install, execute lectures, export HTML + slides, regenerate release/, self-grade
	$(PY) -m coursetools.system_deps --for course
	$(PY) -m coursetools.build all

lectures: $(STAMP)  ## execute lectures into build/html
	$(PY) -m coursetools.build lectures

slides: $(STAMP)  ## offline reveal.js decks into build/slides (runs the lectures first)
	$(PY) -m coursetools.build lectures slides

release-all: $(STAMP)  ## regenerate release/ from source/ with nbgrader
	$(PY) -m coursetools.grading release

selfgrade: $(STAMP)  ## autograde each homework's own solution (expects 100)
	$(PY) -m coursetools.grading selfgrade

grading-report: $(STAMP)  ## grade solutions, stubs, mutants, alternatives and cheats; print the table
	$(PY) -m coursetools.grading report

release: $(STAMP)  ## HW=hwN_name: generate and release one assignment into the exchange
	@test -n "$(HW)" || (echo "usage: make release HW=hw3_gradient_descent" && exit 2)
	$(PY) -m coursetools.classroom release $(HW)

grade: $(STAMP)  ## HW=hwN_name: collect, pre-check and autograde every submission (summary table)
	@test -n "$(HW)" || (echo "usage: make grade HW=hw3_gradient_descent" && exit 2)
	$(PY) -m coursetools.classroom grade $(HW)

feedback: $(STAMP)  ## HW=hwN_name: feedback HTML without hidden tests, released to students
	@test -n "$(HW)" || (echo "usage: make feedback HW=hw3_gradient_descent" && exit 2)
	$(PY) -m coursetools.classroom feedback $(HW)

export: $(STAMP)  ## grades of every assignment into grades.csv
	$(PY) -m coursetools.classroom export

system-deps: $(STAMP)  ## install missing Debian packages (chromium, bubblewrap, ...) as root, else say how
	$(PY) -m coursetools.system_deps --for test

test: system-deps  ## the test suite at sample depth, under 10 minutes (installs missing Debian packages first when root)
	$(PY) -m pytest -m "not exhaustive"

test-exhaustive: system-deps  ## the rest: every assignment graded, axe on every page, every explorer, the hub (~35 min)
	$(PY) -m pytest -m exhaustive

test-all: system-deps  ## test + test-exhaustive in one pytest session (what CI runs, in two steps)
	$(PY) -m pytest

test-fast: $(STAMP)  ## everything except notebook execution, grading pipeline and browser
	$(PY) -m pytest -m "not slow and not browser"

test-browser: system-deps  ## browser tests only (Debian chromium, installed by system-deps)
	$(PY) -m pytest -m browser

lab: $(STAMP)  ## JupyterLab with nbgrader, widgets and the live slide deck (jupyterlab-slideshow)
	$(BIN)/jupyter lab --notebook-dir=.

bench: $(STAMP)  ## benchmark tables into benchmarks/RESULTS.md
	$(PY) benchmarks/run_all.py

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check helpers coursetools optml_grading tests benchmarks

strip: $(STAMP)  ## clear outputs from lecture notebooks before committing
	$(BIN)/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb

clean:  ## remove build outputs (keeps .venv)
	rm -rf build
