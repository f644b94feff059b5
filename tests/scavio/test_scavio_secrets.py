"""The API key never appears in a log record (ours, httpx's, httpcore's), an exception, a repr or state."""

from __future__ import annotations

import logging
import traceback

import pytest

from tiktok_assets.scavio.errors import ScavioError
from tiktok_assets.scavio.resource import ScavioResource


def test_key_never_leaks(simulator, make_client, api_key, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "tiktok_assets.scavio"):
        caplog.set_level(logging.DEBUG, name)
    client = make_client(simulator, max_retries=2)
    errors: list[BaseException] = []
    simulator.enqueue_faults([{"status": 429, "retry_after": 0}, {"status": 502}, {"malformed": "not_json"}])
    client.profile(username="chef_lina")
    list(client.user_posts(simulator.universe.sec_uid_of("pixel_pets"), max_pages=2))
    for call in (lambda: client.profile(username="gone_creator"), lambda: client.video("abc")):
        try:
            call()
        except ScavioError as exc:
            errors.append(exc)
    simulator.enqueue_faults([{"status": 502}] * 3)
    try:
        client.profile(username="chef_lina")
    except ScavioError as exc:
        errors.append(exc)
    simulator.set_credits(0)
    try:
        client.profile(username="chef_lina")
    except ScavioError as exc:
        errors.append(exc)
    wrong = make_client(simulator, api_key=api_key + "X")  # a rejected key must not be echoed either
    try:
        wrong.profile(username="chef_lina")
    except ScavioError as exc:
        errors.append(exc)
    assert [type(e).__name__ for e in errors] == ["EntityNotFoundError", "BadRequestError", "ServerError",
                                                  "InsufficientCreditsError", "AuthError"]
    assert len(caplog.records) > 10
    assert {r.name for r in caplog.records} >= {"httpx", "httpcore.http11", "tiktok_assets.scavio"}
    for record in caplog.records:
        assert api_key not in record.getMessage() and api_key not in str(record.args), record.name
    assert api_key not in caplog.text
    for exc in errors:
        assert api_key not in "".join(traceback.format_exception(exc))
    resource = ScavioResource(api_key=api_key, base_url=simulator.url, state_dir=str(tmp_path))
    for obj in (client, wrong, client.pacer, client._req, resource, resource.get_client(), client.ledger):
        assert api_key not in repr(obj) and api_key not in str(obj)
    for path in (tmp_path / "state").iterdir():
        assert api_key not in path.name and api_key.encode() not in path.read_bytes()


def test_server_message_echoing_the_key_is_scrubbed(simulator, make_client, api_key):
    client = make_client(simulator)
    simulator.enqueue_faults([{"status": 400, "message": f"bad key {api_key} used"}])
    with pytest.raises(ScavioError) as info:
        client.profile(username="chef_lina")
    assert api_key not in str(info.value) and "bad key *** used" in str(info.value)
