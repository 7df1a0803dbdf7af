# Two commands: `make book` builds the book, `make test` runs every test.
# Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch is pinned once, in environment.yml (Binder reads it there): an unpinned install can pull
# gigabytes of CUDA packages. Elsewhere, TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
# selects CPU wheels.
TORCH_VERSION := $(shell sed -n 's/^ *- *torch==\([0-9][^ ]*\).*/\1/p' environment.yml)
TORCH_PIP_ARGS ?=
export TORCH_PIP_ARGS
# The book and test tools are installed at the exact versions of constraints.txt (`make constraints`
# regenerates it); the package's own dependency ranges in pyproject.toml stay loose.
CONSTRAINTS := constraints.txt
# The browser test drives the built book in headless Chromium (Debian's package) with Playwright.
CHROMIUM ?= /usr/bin/chromium
# `make test` rebuilds the book only when a source of the book changed since the last build
# (not for a change confined to tests/). Sphinx re-reads, and so re-executes, every chapter when
# a package file or checkpoint changed (book/_ext/package_dependencies.py).
BOOK_STAMP := _build/.book-built
BOOK_SOURCES := _config.yml _toc.yml $(wildcard book/*.md book/*.bib book/_ext/*.py book/_static/*.css \
	ttsbook/*.py ttsbook/*/*.py ttsbook/checkpoints/*.pt)
PYTEST_CI := --no-skips   # in `make test` (and so in CI) a skipped test fails the run

.PHONY: book test unit chapters colab binder notebooks checkpoints constraints bench clean chromium

ifeq ($(TORCH_VERSION),)
$(error environment.yml pins no torch version (a line "- torch==X" in its pip section))
endif

$(STAMP): pyproject.toml Makefile $(CONSTRAINTS) environment.yml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[book,test]"
	touch $(STAMP)

## book: execute every chapter and write the HTML to _build/html (Sphinx warnings are errors)
book: $(STAMP)
	rm -f $(BOOK_STAMP)
	$(MAKE) $(BOOK_STAMP)

$(BOOK_STAMP): $(BOOK_SOURCES) | $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	touch $@

# Chromium for the browser test: Debian's package, installed with apt-get when running as root;
# otherwise the one command to run is printed. No browser download.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$(CHROMIUM)" = /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && apt-get install -y chromium; \
		else \
			echo "No Chromium at $(CHROMIUM). Install it with:  sudo apt-get install -y chromium"; \
			echo "(or pass CHROMIUM=/path/to/chromium)"; exit 1; \
		fi; \
	fi

## pdf: the whole book as one PDF, _build/pdf/ttsbook.pdf (also _build/html/ttsbook.pdf, which the
## introduction links), printed page by page from the built HTML by headless Chromium
PDF := _build/pdf/ttsbook.pdf
.PHONY: pdf
pdf: $(PDF)

$(PDF): $(BOOK_STAMP) book/_ext/book_pdf.py | chromium
	CHROMIUM="$(CHROMIUM)" $(BIN)/python book/_ext/book_pdf.py

## test: build the book and its PDF if needed, then the unit tests with the browser and PDF tests,
## every chapter alone in a fresh Colab-like environment under nbval, and Binder's environment;
## nothing may be skipped
test: $(STAMP) $(BOOK_STAMP) chromium $(PDF)
	CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest $(PYTEST_CI)
	$(BIN)/python tests/colab.py both $(PYTEST_CI)

## unit: the unit tests alone (`pytest`); the browser test skips without a built book
unit: $(STAMP)
	$(BIN)/python -m pytest

## chapters: every chapter under nbval in this environment (`pytest --nbval book/`)
chapters: $(STAMP)
	$(BIN)/python -m pytest --nbval book/

## colab: every chapter alone in a fresh Colab-like environment (`make colab NOTEBOOKS_IPYNB=book/01_setup.ipynb`)
NOTEBOOKS_IPYNB ?=
colab: $(STAMP)
	$(BIN)/python tests/colab.py colab $(NOTEBOOKS_IPYNB)

## binder: environment.yml's pip section in a fresh environment: every chapter imports, chapter 1 runs
binder: $(STAMP)
	$(BIN)/python tests/colab.py binder

## notebooks: re-sync book/*.ipynb (what Colab opens and nbval checks) from book/*.md and execute
## them (the chapters and the introduction); `make notebooks NOTEBOOKS=book/03_cot.md` does one
NOTEBOOKS ?= book/intro.md $(wildcard book/[0-9]*.md)
notebooks: $(STAMP)
	for f in $(NOTEBOOKS); do \
		$(BIN)/jupytext --to ipynb --update "$$f" && \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=1800 \
			--NotebookExporter.preprocessors='["nbconvert.preprocessors.CoalesceStreamsPreprocessor"]' \
			"$${f%.md}.ipynb" || exit 1; \
	done

## checkpoints: retrain the GPT-2-style models that chapter 8 loads (ttsbook/checkpoints/*.pt)
checkpoints: $(STAMP)
	for spec in "20 2500" "30 2500" "40 2500" "66 1500"; do set -- $$spec; \
		$(BIN)/python -m ttsbook.gpt2 train --n $$1 --steps $$2 --threads 1 \
			--out ttsbook/checkpoints/gpt2_n$$1.pt || exit 1; \
	done

## constraints: regenerate constraints.txt from a fresh environment with the newest releases
## (exact versions of every installed package but torch and ttsbook)
constraints:
	rm -rf _build/constraints-venv
	$(PYTHON) -m venv _build/constraints-venv
	_build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	_build/constraints-venv/bin/python -m pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	_build/constraints-venv/bin/python -m pip install --quiet ".[book,test]"
	{ echo "# Exact versions of the book and test tools, used by make book / make test (pip install -c)."; \
	  echo "# Regenerate with: make constraints"; \
	  _build/constraints-venv/bin/python -m pip freeze --exclude torch --exclude ttsbook; } > $(CONSTRAINTS)
	rm -rf _build/constraints-venv

## bench: time the chapters, LSA training to 2% and the CoT rollout, and peak memory (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf _build
