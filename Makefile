# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   -> .venv + install + the three reports on the bundled demo data (outputs/demo/)
#   make test   -> .venv + test tools + Chromium and Java 17 (Debian) + lint + the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP    := $(VENV)/.test-installed

.PHONY: demo test setup setup-test browser java lint bench lab clean

demo: setup
	$(BIN)/outbound-analysis run --all --params params/demo.yaml --output outputs/demo
	@echo "Listo: abrí outputs/demo/resumen.html, detallado.html y flujos.html en el navegador."

test: setup-test browser java
	$(BIN)/ruff check outbound_analysis tests benchmarks
	$(BIN)/pytest tests notebooks outbound_analysis --doctest-modules --nbval-lax --nbval-current-env --durations=25

setup: $(RUNTIME_STAMP)
setup-test: $(TEST_STAMP)

$(RUNTIME_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Hace falta Python 3.11 o posterior"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (outbound_analysis)"
	@# any JupyterLab of this environment saves the tracked notebooks/ without outputs
	$(BIN)/python -c 'import json, pathlib, sys; \
	  p = pathlib.Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.json"); \
	  c = json.loads(p.read_text()) if p.exists() else {}; \
	  c.setdefault("ContentsManager", {})["pre_save_hook"] = "outbound_analysis.cli.strip_tracked_outputs"; \
	  p.parent.mkdir(parents=True, exist_ok=True); p.write_text(json.dumps(c, indent=2))'
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium for the browser test (root or sudo); skipped when already installed.
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(chromium --version)"; else \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null && \
	  chromium --version; fi

# Java 17 for the Spark engine (pyspark runs Spark in local mode inside the tests).
java:
	@if java -version 2>&1 | grep -q 'version "\(1[7-9]\|2[0-9]\)'; then java -version 2>&1 | head -1; else \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null && \
	  java -version 2>&1 | head -1; fi

lint: setup-test
	$(BIN)/ruff check outbound_analysis tests benchmarks

bench: setup-test java
	$(BIN)/python benchmarks/bench.py

lab: setup
	$(BIN)/outbound-analysis lab

clean:
	rm -rf $(VENV) outputs/demo
