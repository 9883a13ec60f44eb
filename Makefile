.PHONY: setup demo test lint bench lock audit
setup:
	bash build/setup.sh
demo:
	bash build/demo.sh
test:
	bash build/test.sh
lint:
	bash build/setup.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
bench:
	bash build/setup.sh && .venv/bin/python bench/run.py
# The one command that regenerates requirements.lock after a dependency changed in pyproject.toml
# (kiosk, central and dev extras, every platform, with hashes). Pins already in the lock are
# kept; `make lock UPGRADE=--upgrade` moves everything to the newest allowed versions.
lock:
	.venv/bin/uv pip compile pyproject.toml build/build-requirements.in --extra kiosk \
		--extra central --extra dev --universal --python-version 3.11 --generate-hashes \
		$(UPGRADE) -o requirements.lock
# The pinned set against the public advisory database (PyPI's, through pip-audit; needs a network).
audit:
	.venv/bin/pip-audit --require-hashes --disable-pip -r requirements.lock
