# govsite — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: demo test lint venv system-deps clean console-assets

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "govsite needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Console front-end packages (ECharts) from the npm registry, vendored as static files.
CONSOLE_VENDOR := govsite/console/static/console/vendor/echarts.min.js
$(CONSOLE_VENDOR): govsite/console/package.json
	cd govsite/console && npm install --no-audit --no-fund --omit=dev --loglevel=error
	mkdir -p $(dir $@) && cp govsite/console/node_modules/echarts/dist/echarts.min.js $@

console-assets: $(CONSOLE_VENDOR)

venv: $(STAMP) $(CONSOLE_VENDOR)

# Debian packages some tests and benchmarks drive (browser, nginx, PDF tools, CJK fonts).
# Installed only when missing; needs root, as on the project's machines.
SYSTEM_PACKAGES := chromium nginx fonts-noto-cjk libreoffice-writer poppler-utils openssl wrk faketime
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The main job on the embedded defaults (see `govsite demo --help`).
demo: venv
	$(BIN)/govsite demo

lint: venv
	$(BIN)/ruff check .

# The whole suite on the embedded default (SQLite), then every database test again on PostgreSQL.
test: venv system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest
	GOVSITE_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m django_db -p no:cacheprovider || [ $$? -eq 5 ]  # 5: no DB test selected

clean:
	rm -rf $(VENV) var build *.egg-info
