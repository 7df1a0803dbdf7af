# Two commands: `make book` builds the book, `make test` runs every test.
# Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch is pinned: an unpinned install can pull gigabytes of CUDA packages.
# Elsewhere, TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu" selects CPU wheels.
TORCH_VERSION ?= 2.13.0
TORCH_PIP_ARGS ?=
# The browser test drives the built book in headless Chromium (Debian's package) with Playwright.
CHROMIUM ?= /usr/bin/chromium
# `make test` rebuilds the book only when a source changed since the last successful build.
BOOK_STAMP := _build/.book-built
BOOK_SOURCES := _config.yml _toc.yml $(wildcard book/*.md book/*.bib book/_ext/*.py book/_static/*.css book/checkpoints/*.pt ttsbook/*.py)

.PHONY: book test notebooks checkpoints bench clean chromium

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -e ".[book,test]"
	touch $(STAMP)

## book: execute every chapter and write the HTML to _build/html (Sphinx warnings are errors)
book: $(STAMP)
	rm -f $(BOOK_STAMP)
	$(MAKE) $(BOOK_STAMP)

$(BOOK_STAMP): $(BOOK_SOURCES) | $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	touch $@

# Installs Debian's chromium when it is missing (as root, or with sudo); no browser download.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$(CHROMIUM)" = /usr/bin/chromium ] && command -v apt-get >/dev/null; then \
			SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
			$$SUDO apt-get update && $$SUDO apt-get install -y chromium; \
		else \
			echo "No Chromium at $(CHROMIUM): install it, or pass CHROMIUM=/path/to/chromium"; exit 1; \
		fi; \
	fi

## test: unit tests, pytest --nbval over the chapters' notebooks, and the built book in a browser
test: $(STAMP) $(BOOK_STAMP) chromium
	CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest

## notebooks: re-sync book/*.ipynb (what Colab opens and nbval checks) from book/*.md and execute
## them; `make notebooks NOTEBOOKS=book/03_cot.md` does one chapter
NOTEBOOKS ?= $(wildcard book/[0-9]*.md)
notebooks: $(STAMP)
	for f in $(NOTEBOOKS); do \
		$(BIN)/jupytext --to ipynb --update "$$f" && \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=1800 \
			--NotebookExporter.preprocessors='["nbconvert.preprocessors.CoalesceStreamsPreprocessor"]' \
			"$${f%.md}.ipynb" || exit 1; \
	done

## checkpoints: retrain the GPT-2-style models that chapter 7 loads (book/checkpoints/*.pt)
checkpoints: $(STAMP)
	for spec in "20 2500" "30 2500" "40 2500" "66 1500"; do set -- $$spec; \
		$(BIN)/python -m ttsbook.gpt2 train --n $$1 --steps $$2 --threads 1 \
			--out book/checkpoints/gpt2_n$$1.pt || exit 1; \
	done

## bench: time the chapters, LSA training to 2% and the CoT rollout, and peak memory (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf _build
