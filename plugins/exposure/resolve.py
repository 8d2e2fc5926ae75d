"""Resolve hosts through a configurable DNS server (dnspython), concurrently, bounded and
cached for the answer's TTL.

Why dnspython and not ``getaddrinfo``: the check must name the CNAME chain, tell NXDOMAIN
from "no A/AAAA record", honour a nameserver that is not the system's (the public resolver
an SRE compares against, or a split-horizon server) and never block the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from .model import DnsAnswer

#: the label asked next to a host to tell a wildcard record from an explicit one
WILDCARD_PROBE = "k8s-essentials-tui-wildcard-check"
#: cache negative and failed answers this long (seconds); positive ones for their TTL
NEGATIVE_TTL = 30.0


def parse_nameserver(value: str) -> tuple[str, int]:
    """``HOST[:PORT]`` (``[v6]:PORT`` for IPv6) into (host, port); ValueError if unusable."""
    value = value.strip()
    if not value:
        raise ValueError("empty nameserver")
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif value.count(":") == 1:
        host, _, port = value.partition(":")
    else:
        host, port = value, "53"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"nameserver must be HOST[:PORT]: {value!r}")
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"nameserver must be an IP address[:PORT]: {value!r}") from None
    return host, int(port)


@dataclass
class _Cached:
    answer: DnsAnswer
    expires: float


class Resolver:
    """Async lookups with a concurrency bound, a per-query timeout and a TTL cache."""

    def __init__(self, nameserver: str = "", *, timeout: float = 2.0,
                 concurrency: int = 16) -> None:
        if nameserver:
            host, port = parse_nameserver(nameserver)
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            self._resolver.nameservers = [host]
            self._resolver.port = port
        else:
            try:  # /etc/resolv.conf; a bastion without one must say so, not crash
                self._resolver = dns.asyncresolver.Resolver()
            except dns.exception.DNSException as exc:
                raise ValueError(f"no system resolver ({type(exc).__name__}): set "
                                 "[exposure] nameserver or --nameserver") from exc
        self.nameserver = nameserver or "system"
        self._resolver.lifetime = timeout
        self._resolver.timeout = timeout
        self._limit = asyncio.Semaphore(concurrency)
        self._cache: dict[str, _Cached] = {}

    def clear(self) -> None:
        """Forget cached answers (``r`` in the pane: the operator just fixed a record)."""
        self._cache.clear()

    async def _query(self, name: str, rdtype: dns.rdatatype.RdataType
                     ) -> tuple[str, list[str], list[str], float]:
        """(status, addresses, cname chain, ttl) of one record type."""
        async with self._limit:
            try:
                answer = await self._resolver.resolve(name, rdtype, search=False,
                                                      raise_on_no_answer=False)
            except dns.resolver.NXDOMAIN:
                return "NXDOMAIN", [], [], NEGATIVE_TTL
            except (dns.resolver.LifetimeTimeout, dns.exception.Timeout):
                return "timeout", [], [], NEGATIVE_TTL
            except dns.resolver.NoNameservers as exc:
                reason = "refused" if "REFUSED" in str(exc) else "server failure"
                return f"error: {reason}", [], [], NEGATIVE_TTL
            except dns.exception.DNSException as exc:
                return f"error: {type(exc).__name__}", [], [], NEGATIVE_TTL
        chain: list[str] = []
        addresses: list[str] = []
        ttl = NEGATIVE_TTL
        for rrset in answer.response.answer:
            if rrset.rdtype == dns.rdatatype.CNAME:
                chain.extend(str(r.target).rstrip(".") for r in rrset)
            elif rrset.rdtype == rdtype:
                addresses.extend(r.address for r in rrset)
                ttl = float(rrset.ttl)
        return ("ok" if addresses else "no record"), addresses, chain, ttl

    async def lookup(self, host: str) -> DnsAnswer:
        key = host.lower().rstrip(".")
        cached = self._cache.get(key)
        if cached and cached.expires > time.monotonic():
            return cached.answer
        name = key + "."
        (s4, a4, c4, t4), (s6, a6, c6, t6) = await asyncio.gather(
            self._query(name, dns.rdatatype.A), self._query(name, dns.rdatatype.AAAA))
        if "ok" in (s4, s6):
            status = "ok"
        elif "NXDOMAIN" in (s4, s6):
            status = "NXDOMAIN"
        elif s4 == s6 == "no record":
            status = "no record"
        else:
            status = s4 if s4 != "no record" else s6
        answer = DnsAnswer(status=status, addresses=tuple(a4 + a6),
                           chain=tuple(dict.fromkeys(c4 + c6)))
        if status == "ok" and "." in key:
            answer = await self._wildcard(key, answer)
        ttl = min(t for t, s in ((t4, s4), (t6, s6)) if s == "ok") if status == "ok" \
            else NEGATIVE_TTL
        self._cache[key] = _Cached(answer, time.monotonic() + ttl)
        return answer

    async def _wildcard(self, host: str, answer: DnsAnswer) -> DnsAnswer:
        """A sibling name that nobody created answering the same addresses means the host
        is served by ``*.<parent>``, not by a record of its own."""
        parent = host.split(".", 1)[1]
        status, addresses, _chain, _ttl = await self._query(f"{WILDCARD_PROBE}.{parent}.",
                                                            dns.rdatatype.A)
        if status == "ok" and set(addresses) <= set(answer.addresses):
            return DnsAnswer(answer.status, answer.addresses, answer.chain, f"*.{parent}")
        return answer

    async def lookup_all(self, hosts: Iterable[str]) -> dict[str, DnsAnswer]:
        """Every distinct host once, concurrently (bounded by the semaphore)."""
        names = sorted({h.lower().rstrip(".") for h in hosts
                        if h and h != "*" and not h.startswith("*.")})
        answers = await asyncio.gather(*(self.lookup(h) for h in names))
        return dict(zip(names, answers, strict=True))
