"""Find the trace id a log line carries (pure): what ``t`` on a Loki line opens.

Recognised, in this order: a label or structured-metadata field named like a trace id
(``trace_id``, ``traceID``, ``traceId``, ``trace-id``, ``trace.id``); a W3C ``traceparent``
(``00-<32 hex>-<16 hex>-<2 hex>``) anywhere in the line; ``key=value`` / ``"key": "value"``
pairs with one of those key names in the line (logfmt and JSON logs). A trace id is 16 or
32 hex digits (Jaeger accepts both); an all-zero id is invalid in W3C and ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_KEY = r"trace[_.\-]?id"
_ID = r"([0-9a-fA-F]{32}|[0-9a-fA-F]{16})"
_PAIR = re.compile(rf"(?i)(?<![\w.-]){_KEY}\"?\s*[=:]\s*\"?{_ID}(?![0-9a-fA-F])")
_TRACEPARENT = re.compile(r"(?<![0-9a-fA-F-])[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}"
                          r"(?![0-9a-fA-F])")
_KEY_NAME = re.compile(rf"(?i){_KEY}")
_ID_ONLY = re.compile(rf"{_ID}")


def _valid(tid: str) -> str | None:
    tid = tid.lower()
    return None if set(tid) == {"0"} else tid


def trace_id_of(line: str, labels: Mapping[str, str] | None = None) -> str | None:
    """The trace id of a log line (lower-case hex), or None."""
    for key, value in (labels or {}).items():
        if _KEY_NAME.fullmatch(key) and _ID_ONLY.fullmatch(value.strip()):
            found = _valid(value.strip())
            if found:
                return found
    for pattern in (_TRACEPARENT, _PAIR):
        for m in pattern.finditer(line):
            found = _valid(m.group(1))
            if found:
                return found
    return None
