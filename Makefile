# The two contract commands: `make demo` and `make test`. Both bootstrap .venv from nothing but
# Python 3.11 + pip, and reinstall only when pyproject.toml changed (the stamp file is the staleness check).
# Bytecode is compiled at install time: with PYTHONDONTWRITEBYTECODE set (as on these machines) nothing
# would ever be cached, and every `dagster dev` / CLI start would recompile Dagster (~6.7 s vs ~3 s).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: demo test test-fast install bench clean dev

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade uv
	@$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@$(BIN)/python -m tiktok_assets.dbt.prepare
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m tiktok_assets.demo

# Two tiers, fast first: tests/unit (pure functions, seconds; marker `unit`), then everything else against
# real parts (`-m "not unit"`). PYTEST_ARGS goes to both; a tier it leaves empty (exit 5) is not a failure.
# `dg check defs` first: the code location loads from tiktok_assets/defs/ ([tool.dg] in pyproject.toml).
test: $(STAMP)
	@VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/dg check defs
	@$(BIN)/python -m pytest -q -m unit tests/unit $(PYTEST_ARGS) || [ $$? -eq 5 ]
	@$(BIN)/python -m pytest -q -m "not unit" $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-fast: $(STAMP)
	@$(BIN)/python -m pytest -q -m unit tests/unit $(PYTEST_ARGS)

# BENCHMARKS.md (about 40 min), then BENCHMARKS_LAKE.md: a year of the lake at 200 accounts (20-25 min on 2 busy
# cores, 11-12 of them writing the history). The issue's scale: make bench LAKE_BENCH_ARGS="--accounts 1000 --days 365"
# (several times longer); LAKE_BENCH_ARGS="... --reobserve-days 0" writes without re-observation (a day's write ~2.5x faster).
bench: $(STAMP)
	@$(BIN)/python -m benchmarks.run
	@$(BIN)/python -m benchmarks.lake_year $(or $(LAKE_BENCH_ARGS),--accounts 200 --days 365)

# The UI on the embedded default: simulator unless SCAVIO_BASE_URL is set, the demo's DAGSTER_HOME.
dev: $(STAMP)
	@$(BIN)/python -m tiktok_assets.devserver $(ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache
