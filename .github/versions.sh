#!/bin/sh
# The versions the workflows use, read where the project writes them (never written twice):
#   python           the lower bound of requires-python in pyproject.toml (Binder's environment.yml
#                    names the same; tests/test_workflows.py checks both)
#   torch            the torch pin of environment.yml's pip section (the Makefile reads it there too)
#   torch-pip-args   the index options of that pip section: where torch's CPU wheel comes from
# Printed as name=value lines, for "$GITHUB_OUTPUT".
set -eu
cd "$(dirname "$0")/.."
python=$(sed -n 's/^requires-python *= *">= *\([0-9][0-9.]*\)".*/\1/p' pyproject.toml)
torch=$(sed -n 's/^ *- *torch==\([0-9][^ ]*\).*/\1/p' environment.yml)
torch_pip_args=$(sed -n 's/^ *- *\(--[a-z-]*index-url[ =][^ ]*\).*/\1/p' environment.yml | tr '\n' ' ' | sed 's/ $//')
if [ -z "$python" ] || [ -z "$torch" ]; then
    echo "pyproject.toml must say requires-python = \">=X.Y\" and environment.yml pin torch==X" >&2
    exit 1
fi
echo "python=$python"
echo "torch=$torch"
echo "torch-pip-args=$torch_pip_args"
