.PHONY: setup demo test lint bench
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
