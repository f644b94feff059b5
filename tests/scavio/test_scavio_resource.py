"""ScavioResource: config, env wiring, one cached client per run, and use inside Dagster assets."""

# No `from __future__ import annotations` here: Dagster inspects the asset functions' real annotations.


import pytest
from dagster import AssetExecutionContext, EnvVar, asset, materialize

from tiktok_assets import settings
from tiktok_assets.scavio.client import ScavioClient
from tiktok_assets.scavio.resource import ScavioResource


def test_defaults():
    r = ScavioResource(api_key="k" * 8)
    assert (r.base_url, r.timeout, r.max_retries, r.max_concurrency, r.rate_limit, r.rate_window_seconds,
            r.credit_cap_per_run, r.state_dir) == (settings.DEFAULT_BASE_URL, 30, 5, 4, None, 60, None, None)  # unset: the server sets the pace


def test_from_env_reads_every_documented_variable(monkeypatch, tmp_path):
    env = {"SCAVIO_API_KEY": "sk_env_key_123", "SCAVIO_BASE_URL": "http://127.0.0.1:1", "SCAVIO_TIMEOUT": "2.5",
           "SCAVIO_MAX_RETRIES": "2", "SCAVIO_MAX_CONCURRENCY": "3", "SCAVIO_RATE_LIMIT": "7",
           "SCAVIO_RATE_WINDOW_SECONDS": "1.5", "TIKTOK_CREDIT_CAP_PER_RUN": "40", "TIKTOK_STATE_DIR": str(tmp_path)}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    r = ScavioResource.from_env()
    assert (r.api_key, r.base_url, r.timeout, r.max_retries, r.max_concurrency, r.rate_limit,
            r.rate_window_seconds, r.credit_cap_per_run, r.state_dir) == (
        "sk_env_key_123", "http://127.0.0.1:1", 2.5, 2, 3, 7, 1.5, 40, str(tmp_path))
    c = ScavioClient.from_env(run_id="r", rate_limit=9)
    assert (c.base_url, c.max_concurrency, c.run_cap.cap, c.pacer.limit, c.run_id) == ("http://127.0.0.1:1", 3, 40, 9, "r")
    c.close()
    monkeypatch.setenv("SCAVIO_MAX_RETRIES", "many")
    with pytest.raises(ValueError, match="SCAVIO_MAX_RETRIES='many'"):
        ScavioResource.from_env()
    monkeypatch.setenv("SCAVIO_MAX_RETRIES", "2")
    monkeypatch.delenv("SCAVIO_API_KEY")
    with pytest.raises(ValueError, match="SCAVIO_API_KEY is not set"):
        ScavioResource.from_env()


def test_get_client_is_cached_per_run_and_takes_extra_limits(tmp_path):
    class Limit:
        name = "extra"

        def reserve(self, n: int = 1) -> None: ...

        def settle(self, reserved: int, used: int) -> None: ...

    r = ScavioResource(api_key="sk_cache_key", state_dir=str(tmp_path), credit_cap_per_run=5)
    first = r.get_client("run-a")
    limit = Limit()
    assert r.get_client("run-a", extra_limits=[limit]) is first
    assert limit in first.guard.limits and first.run_cap.cap == 5
    assert r.get_client() is first
    other = r.get_client("run-b")
    assert other is not first and other.run_id == "run-b"
    r.close()


def test_assets_of_one_run_share_one_client(scavio_env, api_key, tmp_path):
    seen: dict[str, tuple[int, str | None, int]] = {}

    @asset
    def a(context: AssetExecutionContext, scavio: ScavioResource) -> None:
        client = scavio.get_client(run_id=context.run_id)
        with client.tagged(asset="a"):
            client.profile(username="chef_lina")
        seen["a"] = (id(client), client.run_id, len(client.ledger))

    @asset(deps=[a])
    def b(context: AssetExecutionContext, scavio: ScavioResource) -> None:
        client = scavio.get_client(run_id=context.run_id)
        with client.tagged(asset="b"):
            client.hashtag(hashtag_name="fyp")
        seen["b"] = (id(client), client.run_id, len(client.ledger))
        assert [e.asset for e in client.ledger] == ["a", "b"]
        assert {e.run_id for e in client.ledger} == {context.run_id}

    resource = ScavioResource(api_key=EnvVar("SCAVIO_API_KEY"), base_url=scavio_env.url,
                              rate_limit=1000, rate_window_seconds=1, state_dir=str(tmp_path / "state"))
    result = materialize([a, b], resources={"scavio": resource})
    assert result.success
    assert seen["a"][0] == seen["b"][0] and seen["a"][1] == result.run_id
    assert (seen["a"][2], seen["b"][2]) == (1, 2)
    assert scavio_env.stats()["charged"] == 2
