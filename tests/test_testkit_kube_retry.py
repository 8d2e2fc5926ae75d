"""The test kube client sends a request again once when the server closed a kept-alive
connection without answering (a teardown's parallel DELETEs met it: an ERROR at teardown in
a full run), but never replays a create."""

from __future__ import annotations

import httpx
import pytest

from testkit.kube import KubeAdmin


def _admin(fail_first: int) -> tuple[KubeAdmin, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) <= fail_first:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                            request=request)
        return httpx.Response(200, json={"kind": "Status", "status": "Success"})

    admin = KubeAdmin.__new__(KubeAdmin)
    admin._client = httpx.Client(base_url="https://apiserver.invalid",
                                 transport=httpx.MockTransport(handler))
    return admin, seen


def test_a_closed_kept_alive_connection_is_tried_once_more() -> None:
    admin, seen = _admin(fail_first=1)
    assert admin.request("DELETE", "/api/v1/namespaces/x/configmaps")["status"] == "Success"
    assert seen == ["DELETE", "DELETE"]


def test_twice_in_a_row_is_an_error_and_a_create_is_never_replayed() -> None:
    admin, seen = _admin(fail_first=2)
    with pytest.raises(httpx.RemoteProtocolError):
        admin.request("GET", "/api/v1/namespaces")
    admin, seen = _admin(fail_first=1)
    with pytest.raises(httpx.RemoteProtocolError):
        admin.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "x"}})
    assert seen == ["POST"]
