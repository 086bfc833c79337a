# Một Cửa: `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
# The demo's payment gateway, national portal and registries listen on this port and the next two.
SANDBOX_PORT ?= 8026
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; a module's tests stay together on one worker.
# The 25 slowest tests are listed at the end of each pass (where the suite's time goes).
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25

.PHONY: run test install lock audit system-deps browser axe lint typecheck test-sqlite test-postgres check-migrations messages clean

# Every dependency comes from requirements.lock, pinned with hashes (decision 0038); the project
# itself is installed on top without resolving anything again. The locked pip goes in first: the
# pip a new venv brings (23) refuses, in hash mode, a locked package that another asks for with
# an extra (pip-audit's cachecontrol[filecache]) once a newer release of it is on the registry.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^pip==/ {keep = 1; print; next} keep && /^ +--hash=/ {print; next} {keep = 0}' \
	  requirements.lock > $(VENV)/pip.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r $(VENV)/pip.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: system-deps $(STAMP)

# PDFs (WeasyPrint) need Pango and a font with Vietnamese letters; installed when missing (as root).
system-deps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ls /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf >/dev/null 2>&1 || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "!!! missing system packages for PDF forms:$$missing (apt-get install them)" >&2; fi; \
	fi

run: install
	$(BIN)/motcua serve --host $(HOST) --port $(PORT) --sandboxes --sandbox-port $(SANDBOX_PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

check-migrations: install
	MOTCUA_VAR_DIR=$$(mktemp -d) $(BIN)/motcua makemigrations --check --dry-run

# Browser journeys use Debian's Chromium (never a downloaded browser); installed when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "!!! chromium missing and not root: browser journeys will be SKIPPED" >&2; fi; }

# Accessibility checks inject axe-core, pinned in package.json/package-lock.json; skipped without npm.
axe:
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "!!! npm missing: accessibility checks (axe-core) will be SKIPPED" >&2; \
	elif [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; fi

test-sqlite: install browser axe
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: install
	$(BIN)/python scripts/with_postgres.py --replica -- $(PYTEST) $(PYTEST_ARGS)

test: lint typecheck check-migrations test-sqlite test-postgres

# After a change of pyproject.toml's dependencies: pin them again, with hashes.
lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --extra dev --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	  --output-file requirements.lock pyproject.toml

# Release check (not part of `make test`, which must not need a vulnerability service): fails on
# any known vulnerability in a locked dependency.
audit: install
	$(BIN)/pip-audit --strict --require-hashes --disable-pip --progress-spinner off -r requirements.lock

messages: install
	cd src/motcua && ../../$(BIN)/motcua makemessages -l en --no-obsolete --add-location file -e html,txt,py,jinja
	cd src/motcua && ../../$(BIN)/motcua compilemessages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
