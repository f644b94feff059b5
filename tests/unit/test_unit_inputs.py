"""What a user types, checked before any request: day ranges, the entities tag, tracked.yaml text,
entity names, and the one resolver of the lake and warehouse paths."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tiktok_assets import settings
from tiktok_assets.partitions import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    day_range_problem,
    parse_entities_tag,
    requested_days,
)
from tiktok_assets.tracking import Tracked, TrackedFileError, normalize_name, parse_tracked, tracked_url

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(("start", "end", "problem"), [
    (date(2026, 11, 1), date(2026, 11, 20), None),
    (date(2024, 1, 1), date(2024, 1, 1), None),
    (TODAY, TODAY, None),
    (date(2026, 11, 5), date(2026, 11, 4), "end date 2026-11-04 is before start date 2026-11-05"),
    (date(2023, 12, 31), date(2024, 1, 2),
     "2023-12-31 is before the first partition day 2024-01-01; the lake has no days before it"),
    (date(2026, 11, 20), date(2026, 11, 21),
     "2026-11-21 is in the future (today is 2026-11-20 UTC); a day can be captured once it has begun"),
    (date(2026, 11, 21), date(2026, 11, 19), "end date 2026-11-19 is before start date 2026-11-21"),  # order first
])
def test_day_range_problem(start, end, problem):
    assert day_range_problem(start, end, TODAY) == problem


@pytest.mark.parametrize(("value", "names"), [
    (None, None), ("", None), (" , ,", None), ("a", ["a"]), ("a, b,,c ", ["a", "b", "c"]),
    ("東京 ramen 🍜,x", ["東京 ramen 🍜", "x"]),
])
def test_entities_tag(value, names):
    assert parse_entities_tag(value) == names


def test_requested_days_from_run_tags():
    assert requested_days({RANGE_START_TAG: "2026-11-01", RANGE_END_TAG: "2026-11-03"}) == (date(2026, 11, 1), date(2026, 11, 3))
    assert requested_days({PARTITION_TAG: "2026-11-02"}) == (date(2026, 11, 2), date(2026, 11, 2))
    assert requested_days({PARTITION_TAG: "1999-01-01"}) == (date(1999, 1, 1), date(1999, 1, 1))  # not resolved
    assert requested_days({}) is None
    assert requested_days({PARTITION_TAG: "yesterday"}) is None


def test_parse_tracked_strips_prefixes_dedups_and_keeps_order():
    text = ("# the demo\naccounts:\n  - '@chef_lina'\n  - urban_runner\n  - chef_lina\n"
            "hashtags: ['#cooking', fyp]\nkeywords:\n  - '東京 ramen 🍜'\n  - '12345'\n")
    tracked = parse_tracked(text, "tracked.yaml")
    assert tracked == Tracked(accounts=("chef_lina", "urban_runner"), hashtags=("cooking", "fyp"),
                              keywords=("東京 ramen 🍜", "12345"))
    assert tracked.all_names() == {"chef_lina", "urban_runner", "cooking", "fyp", "東京 ramen 🍜", "12345"}
    assert parse_tracked("", "t.yaml") == Tracked() == parse_tracked("# nothing yet\n", "t.yaml")
    assert parse_tracked("accounts:\nhashtags: []\n", "t.yaml") == Tracked()


@pytest.mark.parametrize(("text", "message"), [
    ("acounts: [a]\n", "t.yaml:1: unknown key 'acounts' (did you mean 'accounts'?); the keys are accounts, hashtags, keywords"),
    ("accounts:\n  - a\n  - null\n", "t.yaml:3: 'accounts': entry 'null' is null, not a name; quote it if it is a name"),
    ("accounts:\n  - 12345\n", "t.yaml:2: 'accounts': entry '12345' is a number, not a name; quote it if it is a name"),
    ("hashtags: [true]\n", "t.yaml:1: 'hashtags': entry 'true' is a boolean, not a name; quote it if it is a name"),
    ("accounts: [a]\nkeywords: [k]\naccounts: [b]\n", "t.yaml:3: key 'accounts' appears twice (first on line 1)"),
    ("accounts: a\n", "t.yaml:1: 'accounts' must be a list of names"),
    ("- a\n- b\n", "t.yaml:1: expected a mapping with the keys accounts, hashtags, keywords"),
    ("accounts: [a\n", "t.yaml:2: not valid YAML"),
    ("accounts:\n  - '  @ '\n", "t.yaml:2: accounts: empty name '  @ '"),
    ("accounts:\n  - two words\n", "t.yaml:2: accounts: 'two words' contains whitespace"),
])
def test_parse_tracked_errors_name_the_file_and_line(text, message):
    with pytest.raises(TrackedFileError) as info:
        parse_tracked(text, "t.yaml")
    assert str(info.value).startswith(message), str(info.value)


def test_normalize_name_rules():
    assert normalize_name("accounts", " @chef_lina ") == "chef_lina"
    assert normalize_name("hashtags", "#fyp") == "fyp"
    assert normalize_name("keywords", "  cooking recipe ") == "cooking recipe"
    assert normalize_name("keywords", "k" * 500) == "k" * 500
    with pytest.raises(ValueError, match="is 501 characters; the API accepts 1-500"):
        normalize_name("keywords", "k" * 501)
    with pytest.raises(ValueError, match="unknown entity kind 'users'"):
        normalize_name("users", "a")
    with pytest.raises(ValueError, match="is not a string"):
        normalize_name("accounts", 12345)  # type: ignore[arg-type]


def test_tracked_url_only_for_object_stores():
    assert tracked_url("s3://bucket/tracked.yaml") == "s3://bucket/tracked.yaml"
    assert tracked_url("file:///srv/tracked.yaml") is None
    assert tracked_url("tracked.yaml") is None and tracked_url(Path("/etc/tracked.yaml")) is None


def test_one_resolver_for_the_lake_and_the_warehouse():
    root = settings.PROJECT_ROOT
    assert settings.resolve_lake_url("data/lake") == str(root / "data" / "lake")
    assert settings.resolve_lake_url(" ./data/../lake/ ") == str(root / "lake")
    assert settings.resolve_lake_url("/srv/lake/") == "/srv/lake"
    assert settings.resolve_lake_url("file:///srv/lake") == "/srv/lake"
    assert settings.resolve_lake_url("file://rel/lake") == str(root / "rel" / "lake")
    assert settings.resolve_lake_url("~/lake") == str(Path.home() / "lake")
    assert settings.resolve_lake_url("s3://bucket/prefix/") == "s3://bucket/prefix"
    assert settings.resolve_warehouse("data/w.duckdb") == str(root / "data" / "w.duckdb")
    assert settings.resolve_warehouse(":memory:") == ":memory:"
    for bad in ("", "   "):
        with pytest.raises(ValueError, match="TIKTOK_LAKE_URL"):
            settings.resolve_lake_url(bad)
        with pytest.raises(ValueError, match="TIKTOK_WAREHOUSE"):
            settings.resolve_warehouse(bad)
    assert (root / "pyproject.toml").is_file() and (root / "dbt_project").is_dir()


def test_lake_url_reads_the_environment_when_called(monkeypatch):
    monkeypatch.delenv("TIKTOK_LAKE_URL", raising=False)
    assert settings.lake_url() == str(settings.PROJECT_ROOT / "data" / "lake")
    monkeypatch.setenv("TIKTOK_LAKE_URL", "")
    assert settings.lake_url() == str(settings.PROJECT_ROOT / "data" / "lake")  # empty = unset
    monkeypatch.setenv("TIKTOK_LAKE_URL", "s3://b/l")
    assert settings.lake_url() == "s3://b/l"


@pytest.mark.parametrize(("value", "level"), [(None, "INFO"), ("", "INFO"), ("debug", "DEBUG"), (" Warning ", "WARNING")])
def test_log_level_reads_the_environment_in_any_case(monkeypatch, value, level):
    if value is None:
        monkeypatch.delenv("TIKTOK_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("TIKTOK_LOG_LEVEL", value)
    assert settings.log_level() == level
    assert settings.console_log_run_config() == {"loggers": {"console": {"config": {"log_level": level}}}}


@pytest.mark.parametrize("value", ["verbose", "INF", "10"])
def test_a_bad_log_level_is_one_line_naming_the_variable_and_the_choices(monkeypatch, value):
    monkeypatch.setenv("TIKTOK_LOG_LEVEL", value)
    with pytest.raises(ValueError) as err:
        settings.log_level()
    assert str(err.value) == (f"TIKTOK_LOG_LEVEL={value!r} is not a log level; "
                              "use one of DEBUG, INFO, WARNING, ERROR, CRITICAL")


def test_the_demo_keeps_everything_it_writes_under_its_folder(tmp_path, monkeypatch):
    """``make demo`` / ``make dev`` on the embedded default: the lake, state, warehouse and Dagster
    instance are all under the folder they run from (the warehouse used to follow the project root)."""
    from tiktok_assets.demo import configure_env

    for name in ("TIKTOK_LAKE_URL", "TIKTOK_STATE_DIR", "TIKTOK_WAREHOUSE", "DAGSTER_HOME", "SCAVIO_API_KEY",
                 "SCAVIO_BASE_URL", "SCAVIO_RATE_LIMIT", "SCAVIO_RATE_WINDOW_SECONDS", "SCAVIO_MAX_CONCURRENCY"):
        monkeypatch.setenv(name, "unset-by-the-test")
    configure_env("http://127.0.0.1:1", tmp_path)
    assert settings.lake_url() == str(tmp_path / "data" / "lake")
    assert settings.resolve_warehouse(settings.env(settings.TIKTOK_WAREHOUSE) or "") == str(tmp_path / "data" / "warehouse.duckdb")
    assert settings.state_dir() == tmp_path / "data" / "state"
    assert Path(settings.env("DAGSTER_HOME") or "").parent == tmp_path


@pytest.mark.parametrize(("var", "raw", "message"), [
    ("SCAVIO_TIMEOUT", "abc", "SCAVIO_TIMEOUT='abc' is not a valid float"),
    ("SCAVIO_TIMEOUT", "-1", "SCAVIO_TIMEOUT='-1': timeout must be > 0 seconds, got -1.0"),
    ("SCAVIO_TIMEOUT", "nan", "SCAVIO_TIMEOUT='nan': timeout must be > 0 seconds, got nan"),
    ("SCAVIO_MAX_RETRIES", "-2", "SCAVIO_MAX_RETRIES='-2': max_retries must be between 0 and 100, got -2"),
    ("SCAVIO_MAX_CONCURRENCY", "0", "SCAVIO_MAX_CONCURRENCY='0': max_concurrency must be between 1 and 256, got 0"),
    ("SCAVIO_MAX_CONCURRENCY", "x", "SCAVIO_MAX_CONCURRENCY='x' is not a valid int"),
    ("SCAVIO_RATE_LIMIT", "0", "SCAVIO_RATE_LIMIT='0': rate_limit must be >= 1 (or unset to follow the server), got 0"),
    ("SCAVIO_RATE_WINDOW_SECONDS", "0", "SCAVIO_RATE_WINDOW_SECONDS='0': rate_window_seconds must be > 0 seconds, got 0.0"),
    ("SCAVIO_BASE_URL", "api.scavio.dev", "SCAVIO_BASE_URL='api.scavio.dev': base_url must be an http(s) URL such as "
                                          "https://api.scavio.dev, got 'api.scavio.dev'"),
    ("SCAVIO_BASE_URL", "ftp://host", "SCAVIO_BASE_URL='ftp://host': base_url must be an http(s) URL such as "
                                      "https://api.scavio.dev, got 'ftp://host'"),
    ("TIKTOK_CREDIT_CAP_PER_RUN", "-1", "TIKTOK_CREDIT_CAP_PER_RUN='-1': credit_cap_per_run must be None or >= 0, got -1"),
])
def test_a_client_setting_out_of_range_is_refused_where_it_is_read(monkeypatch, var, raw, message):
    """The client's own checks, applied when the variables are read (the CLI's preflight, the code
    location's resources), so a value every request would fail on is refused before a run exists."""
    from tiktok_assets.scavio.envconfig import optional_settings_from_env
    from tiktok_assets.wiring import build_resources

    monkeypatch.setenv(var, raw)
    for read in (optional_settings_from_env, build_resources):
        with pytest.raises(ValueError) as err:
            read()
        assert str(err.value) == message


def test_client_settings_in_range_are_read_as_typed(monkeypatch):
    from tiktok_assets.scavio.envconfig import optional_settings_from_env

    for var, raw in {"SCAVIO_TIMEOUT": "2.5", "SCAVIO_MAX_RETRIES": "0", "SCAVIO_MAX_CONCURRENCY": "256",
                     "SCAVIO_RATE_LIMIT": "1", "SCAVIO_RATE_WINDOW_SECONDS": "0.5", "TIKTOK_CREDIT_CAP_PER_RUN": "0",
                     "SCAVIO_BASE_URL": "http://127.0.0.1:8080/"}.items():
        monkeypatch.setenv(var, raw)
    assert {k: v for k, v in optional_settings_from_env().items() if k != "state_dir"} == {
        "base_url": "http://127.0.0.1:8080/", "timeout": 2.5, "max_retries": 0, "max_concurrency": 256,
        "rate_limit": 1, "rate_window_seconds": 0.5, "credit_cap_per_run": 0}


def test_a_state_folder_that_cannot_be_created_names_the_variable(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TIKTOK_STATE_DIR", str(blocker / "state"))
    with pytest.raises(ValueError) as err:
        settings.state_dir()
    assert str(err.value) == f"state folder {blocker / 'state'} (TIKTOK_STATE_DIR) cannot be created: Not a directory"


def test_a_store_error_chain_is_summed_up_by_its_first_and_innermost_lines():
    from tiktok_assets.lake.store import store_error_summary

    chain = OSError("Kernel error -> Generic S3 error\n \x1b[31m\u21b3\x1b[0m Error performing GET http://e/b in 2ms\n"
                    "  \x1b[31m\u21b3\x1b[0m tcp connect error\n   \x1b[31m\u21b3\x1b[0m Connection refused (os error 111)\n")
    assert store_error_summary(chain) == "Kernel error -> Generic S3 error ... Connection refused (os error 111)"
    assert store_error_summary(OSError("bucket gone")) == "bucket gone"
    assert store_error_summary(OSError()) == "OSError"
