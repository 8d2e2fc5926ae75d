"""OCI chart registries (``oci://``): version lists and error messages helm does not give.

Why here: ``helm search`` only knows HTTP(S) repositories, and ``helm show chart`` only says
the latest version. Every OCI registry serves the distribution API's tag list
(``GET /v2/<repository>/tags/list``), and helm pushes each chart version as one tag (``+`` of
a semver build becomes ``_``), so the tag list *is* the version list.

Authentication: anonymous first; on a ``401`` the registry's challenge is answered -- a
``Bearer`` challenge with the token-service dance (anonymous, or with the credentials of
``helm registry login`` when they are stored inline in helm's registry config), a ``Basic``
challenge with those credentials. Credential helpers (``credsStore``) are not run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import httpx

from ..errors import ToolError
from .chart import ChartSpec

#: helm's version tags: semver with ``_`` for ``+`` (signatures, ``latest`` etc. are skipped)
_SEMVER = re.compile(
    r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:[+_]([0-9A-Za-z.-]+))?$")
_UNREACHABLE = re.compile(
    r"connection refused|no such host|i/o timeout|network is unreachable|no route to host|"
    r"connection reset|timeout awaiting|TLS handshake timeout|Name or service not known",
    re.IGNORECASE)
_WANTS_TLS_OFF = re.compile(
    r"server gave HTTP response to HTTPS client|first record does not look like a TLS "
    r"handshake|wrong version number|record layer failure", re.IGNORECASE)
_WANTS_TLS_ON = re.compile(r"client sent an HTTP request to an HTTPS server", re.IGNORECASE)
MAX_PAGES = 20


def split_ref(ref: str) -> tuple[str, str]:
    """``oci://host[:port]/path/chart`` -> (``host[:port]``, ``path/chart``)."""
    rest = ref.removeprefix("oci://").strip("/")
    host, _, repository = rest.partition("/")
    if not host or not repository:
        raise ToolError(f"not an OCI chart reference: {ref!r}",
                        hint="expected oci://REGISTRY/PATH/CHART")
    return host, repository


def tag_to_version(tag: str) -> str | None:
    """Chart version of a tag helm pushed (``1.0.0_build.1`` -> ``1.0.0+build.1``)."""
    m = _SEMVER.match(tag)
    if m is None:
        return None
    return tag.replace("_", "+", 1) if m[5] is not None else tag


def _prerelease_key(pre: str | None) -> tuple[Any, ...]:
    # semver 2.0 precedence: a release sorts after its pre-releases; numeric ids < alphanumeric
    if pre is None:
        return (1,)
    return (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))


def version_key(version: str) -> tuple[Any, ...]:
    m = _SEMVER.match(version)
    if m is None:
        return ((-1,),)
    return (int(m[1]), int(m[2]), int(m[3]), _prerelease_key(m[4]), m[5] or "")


def sort_versions(tags: list[str]) -> list[str]:
    """Chart versions from tags, newest first (non-version tags dropped, duplicates once)."""
    versions = {v for v in (tag_to_version(t) for t in tags) if v is not None}
    return sorted(versions, key=version_key, reverse=True)


# -- credentials -------------------------------------------------------------------------------


def registry_config_path() -> Path:
    """helm's registry config (``helm registry login`` writes it), as helm locates it."""
    env = os.environ.get("HELM_REGISTRY_CONFIG")
    if env:
        return Path(env).expanduser()
    config_home = os.environ.get("HELM_CONFIG_HOME")
    if config_home:
        return Path(config_home) / "registry" / "config.json"
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Preferences"
    elif sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or Path.home())
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "helm" / "registry" / "config.json"


def stored_credentials(host: str, path: Path | None = None) -> tuple[str, str] | None:
    """(user, password) stored inline for ``host`` in helm's registry config, if any."""
    try:
        doc = json.loads((path or registry_config_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = doc.get("auths") if isinstance(doc, dict) else None
    if not isinstance(auths, dict):
        return None
    for key in (host, f"https://{host}", f"http://{host}"):
        entry = auths.get(key)
        if not isinstance(entry, dict):
            continue
        if entry.get("username") and entry.get("password"):
            return str(entry["username"]), str(entry["password"])
        try:
            user, _, password = base64.b64decode(str(entry.get("auth", ""))).decode() \
                .partition(":")
        except (ValueError, UnicodeDecodeError):
            continue
        if user and password:
            return user, password
    return None


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, params = header.strip().partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', params))


# -- tag list ----------------------------------------------------------------------------------


async def list_versions(spec: ChartSpec, *, timeout: float = 15.0,
                        transport: httpx.AsyncBaseTransport | None = None) -> list[str]:
    """Chart versions in the OCI registry of ``spec``, newest first ([] if the chart is not
    there). ``ToolError`` when the registry cannot be reached or refuses."""
    host, repository = split_ref(spec.oci_ref)
    scheme = "http" if spec.plain_http else "https"
    url: str | None = f"{scheme}://{host}/v2/{repository}/tags/list"
    creds = stored_credentials(host)
    tags: list[str] = []
    auth_header: str | None = None
    async with httpx.AsyncClient(timeout=timeout, transport=transport,
                                 follow_redirects=True) as client:
        pages = 0
        while url and pages < MAX_PAGES:
            pages += 1
            try:
                res = await _get(client, url, auth_header)
                if res.status_code == 401:
                    auth_header = await _authorize(client, res, repository, creds)
                    if auth_header:
                        res = await _get(client, url, auth_header)
            except httpx.HTTPError as exc:
                text = str(exc) or type(exc).__name__
                message = explain_error(spec, text)
                if message == text and isinstance(exc, (httpx.ConnectError,
                                                        httpx.TimeoutException)):
                    message = f"OCI registry {host} cannot be reached: {text}"
                raise ToolError(message) from exc
            if res.status_code == 404:
                return []
            if res.status_code in (401, 403):
                raise ToolError(
                    f"OCI registry {host} refused to list {repository} "
                    f"(HTTP {res.status_code})",
                    hint=f"log in with: helm registry login {host}")
            if res.status_code == 400 and _WANTS_TLS_ON.search(res.text):
                raise ToolError(explain_error(spec, res.text.strip()))
            if res.status_code >= 400:
                raise ToolError(f"OCI registry {host}: HTTP {res.status_code} listing "
                                f"{repository}: {res.text.strip()[:200]}")
            try:
                page = res.json()
            except ValueError as exc:
                raise ToolError(f"OCI registry {host} sent no JSON tag list") from exc
            tags += [str(t) for t in (page.get("tags") or []) if isinstance(t, str)]
            url = _next_page(res)
    return sort_versions(tags)


async def _get(client: httpx.AsyncClient, url: str, auth: str | None) -> httpx.Response:
    return await client.get(url, headers={"Authorization": auth} if auth else None)


async def _authorize(client: httpx.AsyncClient, res: httpx.Response, repository: str,
                     creds: tuple[str, str] | None) -> str | None:
    """The Authorization header answering the registry's 401 challenge (None: cannot)."""
    scheme, params = _challenge(res.headers.get("www-authenticate", ""))
    if scheme == "basic":
        if creds is None:
            return None
        return "Basic " + base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode()
    if scheme != "bearer" or not params.get("realm"):
        return None
    query = {"scope": params.get("scope") or f"repository:{repository}:pull"}
    if params.get("service"):
        query["service"] = params["service"]
    token_res = await client.get(params["realm"], params=query,
                                 auth=httpx.BasicAuth(*creds) if creds else None)
    if token_res.status_code != 200:
        return None
    try:
        doc = token_res.json()
    except ValueError:
        return None
    token = (doc.get("token") or doc.get("access_token")) if isinstance(doc, dict) else None
    return f"Bearer {token}" if token else None


def _next_page(res: httpx.Response) -> str | None:
    link = res.headers.get("link", "")
    m = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link)
    return str(res.url.join(m[1])) if m else None


# -- messages ----------------------------------------------------------------------------------


def explain_error(spec: ChartSpec, message: str) -> str:
    """helm's (or httpx's) error about an OCI chart, with what to do about it.

    Unchanged for other chart sources. The plain-HTTP hints matter because helm 3 silently
    falls back to HTTP while helm 4 and authenticated pulls do not."""
    if spec.source != "oci":
        return message
    try:
        host, _ = split_ref(spec.oci_ref)
    except ToolError:
        return message
    where = f"[charts.{spec.plugin_id}] plain_http = true" if spec.plugin_id else \
        "plain_http = true in the chart's config table"
    if _WANTS_TLS_OFF.search(message) and not spec.plain_http:
        return (f"{message} -- the OCI registry {host} speaks plain HTTP: pass --plain-http "
                f"or set {where}")
    if _WANTS_TLS_ON.search(message) and spec.plain_http:
        return (f"{message} -- the OCI registry {host} speaks HTTPS: drop --plain-http / "
                "plain_http")
    if _UNREACHABLE.search(message):
        return f"OCI registry {host} cannot be reached: {message}"
    if re.search(r"\b(401|403)\b|unauthorized|denied", message, re.IGNORECASE):
        return f"{message} -- log in with: helm registry login {host}"
    return message
