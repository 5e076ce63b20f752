"""Scrub secrets from text on its way out: log lines, exception reprs, span events.

Two nets, applied at the boundary (the log sink, the span exception event) rather than
at every place that might fail:

- **Shapes**: a request head or a repr of one (``Authorization: Bearer …``,
  ``(b'authorization', b'…')``, ``{'X-Api-Key': '…'}``), a credential in a URL
  (``scheme://user:password@``) and our own token formats, whatever their value.
- **Known values**: every secret value this process resolved (connector secrets,
  webhook and callback signing secrets) and the deployment's own (the KEK, database
  and Redis passwords, the Vault token), so a value that leaks in a form no shape
  covers (an exception quoting a header value alone) is caught too.

Known values are kept in memory (bounded, most recent first) as the resolved values
already are; values shorter than ``MIN_KNOWN_LENGTH`` are not kept, as they would blank
ordinary words.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from orchestrator.core.settings import CoreSettings

REDACTED = "[redacted]"
MIN_KNOWN_LENGTH = 6
MAX_KNOWN = 4096

_SENSITIVE_HEADERS = (
    r"(?:proxy-)?authori[sz]ation|cookie|set-cookie|x-api-key|api-key|apikey|x-auth-token"
    r"|private-token|x-vault-token|x-goog-api-key|ocp-apim-subscription-key|client_secret"
    r"|client-secret|password|passwd|secret|access_token|refresh_token"
)
_SHAPES = re.compile(
    # A scheme and its credential: "Bearer abc", "Basic abc", "token abc".
    r"(?P<scheme>\b(?:bearer|basic|token|digest)\s+)[A-Za-z0-9._~+/=-]{6,}"
    # A sensitive header or field and its value, as a head line, a dict or a tuple repr.
    rf"|(?P<name>(?<![A-Za-z0-9])(?:{_SENSITIVE_HEADERS}))(?P<sep>['\"]?\s*[:=,]\s*b?['\"]?)[^'\"\r\n,}}\])]+"
    # A URL's password: scheme://user:password@host.
    r"|(?P<url>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@"
    # Our own token formats: client secrets and signed JWTs.
    r"|\borcs_[A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
    re.IGNORECASE,
)


def _shape(match: re.Match[str]) -> str:
    if match["scheme"]:
        return f"{match['scheme']}{REDACTED}"
    if match["name"]:
        return f"{match['name']}{match['sep']}{REDACTED}"
    if match["url"]:
        return f"{match['url']}{REDACTED}@"
    return REDACTED


class KnownSecrets:
    """The secret values this process holds, most recently seen first (thread-safe).

    Values are indexed by their first ``MIN_KNOWN_LENGTH`` characters, so a scrub looks
    up each window of the text once, whatever the number of values kept (a worker may
    hold thousands, of many workspaces); only values whose head occurs are searched.
    """

    def __init__(self, limit: int = MAX_KNOWN) -> None:
        self._limit = limit
        self._values: OrderedDict[str, None] = OrderedDict()
        self._by_head: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def remember(self, values: Iterable[str]) -> None:
        """Keep ``values`` (long enough to be told from ordinary text) for scrubbing."""
        with self._lock:
            for value in values:
                if len(value) < MIN_KNOWN_LENGTH:
                    continue
                self._values[value] = None
                self._values.move_to_end(value, last=False)
                self._by_head.setdefault(value[:MIN_KNOWN_LENGTH], set()).add(value)
            while len(self._values) > self._limit:
                old, _ = self._values.popitem()
                heads = self._by_head[old[:MIN_KNOWN_LENGTH]]
                heads.discard(old)
                if not heads:
                    del self._by_head[old[:MIN_KNOWN_LENGTH]]

    def forget_all(self) -> None:
        """Drop every kept value (tests)."""
        with self._lock:
            self._values.clear()
            self._by_head.clear()

    def scrub(self, text: str) -> str:
        """``text`` with every kept value replaced by ``[redacted]``."""
        width = MIN_KNOWN_LENGTH
        with self._lock:
            by_head = self._by_head
            if not by_head:
                return text
            candidates = {
                value
                for start in range(len(text) - width + 1)
                for value in by_head.get(text[start : start + width], ())
            }
        # Longest first, so a value that contains another is replaced whole.
        for value in sorted((v for v in candidates if v in text), key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


known_secrets = KnownSecrets()
"""This process's kept secret values."""


def remember_secrets(values: Iterable[str]) -> None:
    """Keep resolved secret values, so that no log line or span event shows them."""
    known_secrets.remember(values)


_MARKERS = (
    "bearer", "basic", "token", "digest", "authori", "cookie", "api", "subscription",
    "secret", "passw", "://", "orcs_", "eyj",
)  # fmt: skip
"""One of these, lower-cased, is in every text ``_SHAPES`` can match: text with none is
not run through the expression (most log lines)."""


def scrub(text: str) -> str:
    """``text`` without secret shapes or known secret values."""
    lowered = text.lower()
    if any(marker in lowered for marker in _MARKERS):
        text = _SHAPES.sub(_shape, text)
    return known_secrets.scrub(text)


def deployment_secrets(settings: CoreSettings) -> list[str]:
    """The deployment's own secret values: KEKs, database and Redis passwords."""
    values = [settings.crypto.kek, settings.crypto.kek_previous, settings.db.app_password]
    for url in (settings.db.url, settings.db.app_url, settings.redis.url):
        if url:
            password = urlsplit(url).password
            if password:
                values.append(password)
    return [value for value in values if value]
