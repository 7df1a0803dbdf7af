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

.PHONY: book test unit chapters colab binder notebooks checkpoints constraints bench clean chromium \
	lint format linkcheck cross-cpu

ifeq ($(TORCH_VERSION),)
$(error environment.yml pins no torch version (a line "- torch==X" in its pip section))
endif

$(STAMP): pyproject.toml Makefile $(CONSTRAINTS) environment.yml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[book,test,lint]"
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
## introduction links), printed page by page from the built HTML by headless Chromium behind a title
## page, with a bookmark per page and per section (tools/book_pdf.py)
PDF := _build/pdf/ttsbook.pdf
.PHONY: pdf
pdf: $(PDF)

$(PDF): $(BOOK_STAMP) tools/book_pdf.py | chromium
	CHROMIUM="$(CHROMIUM)" $(BIN)/python tools/book_pdf.py

## test: the lint checks, the book and its PDF built if needed and the book's links checked (the
## introduction links the PDF), then, side by side, the unit tests with the browser and PDF tests,
## and every chapter alone in a fresh Colab-like environment under nbval followed by Binder's
## environment; nothing may be skipped
test: $(STAMP) chromium
	$(MAKE) lint
	$(MAKE) $(BOOK_STAMP)
	$(MAKE) $(PDF)
	$(MAKE) linkcheck
	@# The tests (unit, browser, PDF) and the Colab-like run side by side, a core each; the
	@# Colab-like run's output is printed after the tests', and either failing fails make test.
	mkdir -p _build; \
	$(BIN)/python tools/colab.py both $(PYTEST_CI) > _build/colab.log 2>&1 & colab=$$!; \
	CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest $(PYTEST_CI); tests=$$?; \
	wait $$colab; colab_status=$$?; \
	echo "--- the Colab-like and Binder run (tools/colab.py both) ---"; cat _build/colab.log; \
	echo "make test: pytest exit $$tests, Colab-like run exit $$colab_status"; \
	[ $$tests -eq 0 ] && [ $$colab_status -eq 0 ]

## lint: the checks of .pre-commit-config.yaml, without pre-commit: ruff's linter and formatter
## (check only) on the package, tests, tools, benchmarks, book/_ext and the chapters' code cells (through
## their synced .ipynb), each chapter's .ipynb in sync with its .md, actionlint on the workflows,
## and no trailing whitespace, missing final newline or file over $(MAX_FILE_KB) KB among the
## tracked files ($(MAX_CHECKPOINT_KB) KB for a checkpoint: Garg et al.'s "small" size takes 4.7 MB).
## `make format` fixes what ruff can.
MAX_FILE_KB := 2048
MAX_CHECKPOINT_KB := 5000
# Vendored (MathJax) and generated (the executed notebooks) files keep their own whitespace.
WHITESPACE_EXCLUDE := ':!book/_static/mathjax/**' ':!*.ipynb'
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_notebooks_sync.py
	$(BIN)/actionlint
	@if git grep -nIE '[[:space:]]+$$' -- . $(WHITESPACE_EXCLUDE); then \
		echo "trailing whitespace on the lines above"; exit 1; fi
	@missing=$$(git ls-files -- . $(WHITESPACE_EXCLUDE) | while read -r f; do \
		if [ -s "$$f" ] && grep -Iq . "$$f" && [ -n "$$(tail -c1 "$$f")" ]; then echo "$$f"; fi; done); \
	if [ -n "$$missing" ]; then echo "no newline at the end of: $$missing"; exit 1; fi
	git ls-files -z -- . ':!ttsbook/checkpoints/*.pt' | \
		xargs -0 $(BIN)/check-added-large-files --enforce-all --maxkb=$(MAX_FILE_KB)
	git ls-files -z -- 'ttsbook/checkpoints/*.pt' | \
		xargs -0 $(BIN)/check-added-large-files --enforce-all --maxkb=$(MAX_CHECKPOINT_KB)
	git ls-files -z '*.yml' '*.yaml' | xargs -0 $(BIN)/check-yaml
	git ls-files -z '*.toml' | xargs -0 $(BIN)/check-toml

## format: ruff's safe fixes (import order, unused imports, ...) and formatter on the package, tests, tools,
## benchmarks and book/_ext; on the chapters through jupytext, so that book/*.md stays the source,
## then their .ipynb re-synced (code only: the outputs are kept)
CHAPTER_SOURCES := book/intro.md $(wildcard book/[0-9]*.md)
format: $(STAMP)
	$(BIN)/ruff check --fix-only --exit-zero --extend-exclude 'book/*.ipynb' .
	$(BIN)/ruff format --extend-exclude 'book/*.ipynb' .
	for f in $(CHAPTER_SOURCES); do \
		$(BIN)/jupytext --quiet --pipe "$(BIN)/ruff check --fix-only --exit-zero --stdin-filename $$f.py -" "$$f" && \
		$(BIN)/jupytext --quiet --pipe "$(BIN)/ruff format --stdin-filename $$f.py -" "$$f" && \
		$(BIN)/jupytext --quiet --to ipynb --update "$$f" || exit 1; \
	done

## linkcheck: every link inside the built book (_build/html) resolves, to a file (LinkChecker) and to
## an anchor of that file (.github/anchors.py); external links are not followed (the book builds
## offline). `make linkcheck LINKCHECK_ARGS=--check-extern` checks them too (the weekly workflow).
# LinkChecker run as root reads files as the user nobody: it checks a world-readable copy.
LINKCHECK_ARGS ?=
linkcheck: $(STAMP)
	@test -f _build/html/index.html || { echo "no built book: run make book first"; exit 1; }
	@copy=$$(mktemp -d) && cp -r _build/html "$$copy/html" && chmod -R a+rX "$$copy" && \
	echo "linkchecker on a copy of _build/html in $$copy/html" && \
	$(BIN)/linkchecker --config .github/linkcheckerrc --no-status $(LINKCHECK_ARGS) "$$copy/html/index.html"; \
	status=$$?; rm -rf "$$copy"; exit $$status
	$(BIN)/python .github/anchors.py _build/html

## unit: the unit tests alone (`pytest`); the browser test skips without a built book
unit: $(STAMP)
	$(BIN)/python -m pytest

## chapters: every chapter under nbval in this environment (`pytest --nbval book/`)
chapters: $(STAMP)
	$(BIN)/python -m pytest --nbval book/

## cross-cpu: every chapter under nbval as other CPUs run it (tools/cross_cpu.py): the machine's own
## kernels, AVX2-only, AVX-only and a no-SIMD baseline, each with torch on 1 and 2 threads; e.g.
## `make cross-cpu CROSS_CPU_ARGS="--settings avx2 --threads 2"`, `CROSS_CPU_ARGS=--colab` for the
## Colab-like run, `CROSS_CPU_ARGS="--shift-seed 1"` to see every chapter fail with its seeds shifted
CROSS_CPU_ARGS ?=
cross-cpu: $(STAMP)
	$(BIN)/python tools/cross_cpu.py $(CROSS_CPU_ARGS)

## colab: every chapter alone in a fresh Colab-like environment (`make colab NOTEBOOKS_IPYNB=book/01_setup.ipynb`)
NOTEBOOKS_IPYNB ?=
colab: $(STAMP)
	$(BIN)/python tools/colab.py colab $(NOTEBOOKS_IPYNB)

## binder: environment.yml's pip section in a fresh environment: every chapter imports, chapter 1 runs
binder: $(STAMP)
	$(BIN)/python tools/colab.py binder

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

## checkpoints: retrain the GPT-2-style models that chapter 8 loads (ttsbook/checkpoints/*.pt): one command
## each, listed by `python -m ttsbook.gpt2 commands`, CHECKPOINT_JOBS at a time (one thread each)
CHECKPOINT_JOBS ?= 2
checkpoints: $(STAMP)
	$(BIN)/python -m ttsbook.gpt2 commands | sed 's|^python |$(BIN)/python |; s|$$| --no-progress|' | \
		xargs -P $(CHECKPOINT_JOBS) -I{} sh -c 'echo "{}" && {}'

## constraints: regenerate constraints.txt from a fresh environment with the newest releases
## (exact versions of every installed package but torch and ttsbook)
constraints:
	rm -rf _build/constraints-venv
	$(PYTHON) -m venv _build/constraints-venv
	_build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	_build/constraints-venv/bin/python -m pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	_build/constraints-venv/bin/python -m pip install --quiet ".[book,test,lint]"
	{ echo "# Exact versions of the book and test tools, used by make book / make test (pip install -c)."; \
	  echo "# Regenerate with: make constraints"; \
	  _build/constraints-venv/bin/python -m pip freeze --exclude torch --exclude ttsbook; } > $(CONSTRAINTS)
	rm -rf _build/constraints-venv

## bench: time the chapters, LSA training to 2% and the CoT rollout, and peak memory (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf _build
