# Every target sets itself up: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check serve bench install clean lock catalogue

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The exact dependency set the suite was last run against (requirements.lock), then the project itself.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (newest versions within its bounds), then re-test.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/python -m piptools compile --quiet --extra test --extra check --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mentorbot demo

serve: $(STAMP)
	$(BIN)/mentorbot serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Formatting, lint rules, the import rules between layers, and types (strict for the engine).
check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Re-extract every text from the code into messages.pot, then bring each language's .po up to date
# (new texts come in untranslated, removed ones are dropped); translate the new entries after.
LOCALES := conversations/locale
catalogue: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
		-o $(LOCALES)/messages.pot .
	for po in $(LOCALES)/*.po; do \
		$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
			-i $(LOCALES)/messages.pot -o $$po -l $$(basename $$po .po) || exit 1; \
	done

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
