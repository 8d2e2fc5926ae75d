"""The resolver against a real CoreDNS: CNAME chains, NXDOMAIN vs no record, wildcards,
answers cached for their TTL (a moved record shows only after the TTL or ``r``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from k8s_essentials_tui.plugins.exposure.resolve import Resolver
from testkit.coredns import MISSING, CoreDNS, coredns_binary, zone

pytestmark = pytest.mark.skipif(coredns_binary() is None, reason=MISSING)

RECORDS = ("app IN A 10.0.0.1\n"
           "app IN AAAA fd00::1\n"
           "www IN CNAME edge\n"
           "edge IN CNAME app\n"
           "txt-only IN TXT \"hello\"\n"
           "*.wild IN A 10.0.0.7\n"
           "named.wild IN A 10.0.0.8\n")


@pytest.fixture
def dns(tmp_path: Path) -> Iterator[CoreDNS]:
    with CoreDNS(tmp_path, {"example.test": zone("example.test", RECORDS, ttl=300)}) as s:
        yield s


async def test_answers(dns: CoreDNS) -> None:
    resolver = Resolver(dns.address, timeout=2)
    answers = await resolver.lookup_all(["app.example.test", "WWW.example.test.",
                                         "gone.example.test", "txt-only.example.test",
                                         "a.wild.example.test", "named.wild.example.test",
                                         "*.wild.example.test", "*"])
    assert set(answers) == {"app.example.test", "www.example.test", "gone.example.test",
                            "txt-only.example.test", "a.wild.example.test",
                            "named.wild.example.test"}
    app = answers["app.example.test"]
    assert app.status == "ok" and set(app.addresses) == {"10.0.0.1", "fd00::1"}
    assert not app.wildcard and app.chain == ()
    www = answers["www.example.test"]
    assert www.chain == ("edge.example.test", "app.example.test")
    assert "10.0.0.1" in www.addresses
    assert answers["gone.example.test"].status == "NXDOMAIN"
    assert answers["txt-only.example.test"].status == "no record"
    assert answers["a.wild.example.test"].wildcard == "*.wild.example.test"
    # an explicit record next to a wildcard is not the wildcard
    assert answers["named.wild.example.test"].wildcard == ""


async def test_cached_for_the_ttl_until_cleared(dns: CoreDNS) -> None:
    resolver = Resolver(dns.address, timeout=2)
    assert (await resolver.lookup("app.example.test")).addresses[0] == "10.0.0.1"
    moved = RECORDS.replace("app IN A 10.0.0.1", "app IN A 10.0.0.99")
    dns.write_zone("example.test", zone("example.test", moved, ttl=300, serial=2),
                   serial=2, name="app.example.test")
    # the TTL (300 s) has not passed: the cached answer, no query
    assert (await resolver.lookup("app.example.test")).addresses[0] == "10.0.0.1"
    resolver.clear()  # "r" in the pane
    assert "10.0.0.99" in (await resolver.lookup("app.example.test")).addresses


async def test_refused_and_silent_servers_are_bounded(tmp_path: Path) -> None:
    import socket

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        resolver = Resolver(f"127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
        answers = await resolver.lookup_all([f"h{i}.example.test" for i in range(20)])
        # every lookup ends (as a timeout) instead of waiting for the silent server
        assert {a.status for a in answers.values()} == {"timeout"}
    finally:
        silent.close()
