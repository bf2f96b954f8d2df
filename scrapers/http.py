"""One polite HTTP client for every source: cache, retries, per-host rate limits, robots.txt.

Layers, outermost first:

    PoliteClient.get   offline switch, robots.txt, retries (tenacity), snapshot of the body
    hishel CacheTransport   successful GETs kept on disk for a day: a re-run does not hit the network
    _LimitedTransport  per-host spacing and connection cap; a cache hit never waits for it
    httpx.HTTPTransport

Fetching only: nothing here parses a body (parsers are pure, in scrapers/parsers/).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import hishel
import httpx
from hishel.httpx import CacheTransport
from protego import Protego
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from scrapers.snapshots import SnapshotInfo, SnapshotStore, utc_now

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/cegdb/cegdb"
try:
    VERSION = version("cegdb")
except PackageNotFoundError:  # running from a checkout that was never installed
    VERSION = "0.0.0"
# Sites ask crawlers to say who they are and where to complain (arXiv and Semantic Scholar do).
USER_AGENT = f"cegdb/{VERSION} (+{PROJECT_URL})"
ROBOTS_AGENT = "cegdb"

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504}) | frozenset(range(505, 600))
# A scrape of hundreds of items must not stall for long on one host: five tries and at most five
# minutes of waiting per URL, then the item is reported as failed and a re-run picks it up.
MAX_ATTEMPTS = 5
MAX_TOTAL_WAIT_S = 300.0
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
# Hugging Face and arXiv answer in well under a second; 30 s means the server is not answering.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
CACHE_TTL_S = 86_400.0


@dataclass(frozen=True)
class HostLimit:
    interval_s: float = 0.0  # minimum time between the starts of two requests
    connections: int = 8  # requests in flight at once


DEFAULT_LIMIT = HostLimit(0.0, 8)
HOST_LIMITS: dict[str, HostLimit] = {
    # arXiv API terms of use: "no more than one request every three seconds" and "a single connection
    # at a time" (https://info.arxiv.org/help/api/tou.html).
    "export.arxiv.org": HostLimit(3.0, 1),
    "arxiv.org": HostLimit(3.0, 1),
    # Semantic Scholar: unauthenticated clients share one pool; its docs ask for 1 request per second.
    "api.semanticscholar.org": HostLimit(1.0, 1),
    # The Hub rate-limits anonymous clients per IP; 4 at once stays far below what a browser does.
    "huggingface.co": HostLimit(0.0, 4),
}


class FetchError(Exception):
    """A URL could not be fetched; the message names the URL and says why."""

    def __init__(self, url: str, reason: str, status: int | None = None, body: bytes | None = None):
        self.url, self.reason, self.status, self.body = url, reason, status, body
        super().__init__(f"{url}: {reason}")


class RobotsDisallowed(FetchError):
    pass


class OfflineMiss(FetchError):
    pass


@dataclass
class Fetched:
    url: str
    content: bytes
    snapshot: SnapshotInfo
    from_cache: bool = False
    from_snapshot: bool = False

    @property
    def status(self) -> int | None:
        return self.snapshot.status


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response, retry_after: float | None):
        self.response, self.retry_after = response, retry_after
        super().__init__(f"HTTP {response.status_code}")


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


class HostLimiter:
    """Per-host spacing between request starts and a cap on requests in flight; thread-safe.

    `clock` and `sleep` are injectable so tests measure the spacing on a fake clock.
    """

    @dataclass
    class _State:
        limit: HostLimit
        semaphore: threading.BoundedSemaphore
        lock: threading.Lock = field(default_factory=threading.Lock)
        next_start: float = float("-inf")

    def __init__(self, limits: dict[str, HostLimit] | None = None, default: HostLimit = DEFAULT_LIMIT,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.limits = dict(HOST_LIMITS if limits is None else limits)
        self.default, self.clock, self.sleep = default, clock, sleep
        self._states: dict[str, HostLimiter._State] = {}
        self._lock = threading.Lock()

    def limit_for(self, host: str) -> HostLimit:
        return self.limits.get(host, self.default)

    def slow_down(self, host: str, interval_s: float) -> None:
        """Raise a host's spacing (robots.txt Crawl-delay); never lowers it."""
        with self._lock:
            current = self.limit_for(host)
            if interval_s > current.interval_s:
                self.limits[host] = HostLimit(interval_s, current.connections)
                if host in self._states:
                    self._states[host].limit = self.limits[host]

    def _state(self, host: str) -> _State:
        with self._lock:
            if host not in self._states:
                limit = self.limit_for(host)
                self._states[host] = self._State(limit, threading.BoundedSemaphore(limit.connections))
            return self._states[host]

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        state = self._state(host)
        with state.semaphore:
            with state.lock:
                now = self.clock()
                start = max(now, state.next_start)
                state.next_start = start + state.limit.interval_s
            if start > now:
                self.sleep(start - now)
            yield


class _LimitedTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, limiter: HostLimiter):
        self.inner, self.limiter = inner, limiter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.limiter.slot(request.url.host):
            response = self.inner.handle_request(request)
            # Read inside the slot: the connection is busy until the body is in.
            response.read()
            return response

    def close(self) -> None:
        self.inner.close()


class PoliteClient:
    """GET with cache, retries, rate limits and robots.txt; every body goes to the snapshot store."""

    def __init__(self, store: SnapshotStore, *, cache_dir: Path | str | None = None, offline: bool = False,
                 limiter: HostLimiter | None = None, transport: httpx.BaseTransport | None = None,
                 max_attempts: int = MAX_ATTEMPTS, max_total_wait_s: float = MAX_TOTAL_WAIT_S,
                 timeout: httpx.Timeout | float = TIMEOUT, respect_robots: bool = True, refresh: bool = False,
                 hf_token: str | None = None, sleep: Callable[[float], None] | None = None,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)):
        self.store, self.offline = store, offline
        self.refresh = refresh  # every get bypasses (and replaces) the HTTP cache: `--refresh`
        self.limiter = limiter or HostLimiter()
        self.max_attempts, self.max_total_wait_s = max_attempts, max_total_wait_s
        self.respect_robots = respect_robots
        # Gated repositories need a token; it is sent to huggingface.co only, never to another host.
        self.hf_token = hf_token if hf_token is not None else os.environ.get("HF_TOKEN") or None
        self._sleep, self._now = sleep or time.sleep, now
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self._http: httpx.Client | None = None
        if not offline:
            cache_path = Path(cache_dir) if cache_dir is not None else store.root
            cache_path.mkdir(parents=True, exist_ok=True)
            self.storage = hishel.SqliteStorage(database_path=cache_path / "http-cache.sqlite",
                                                default_ttl=CACHE_TTL_S)
            network = transport or httpx.HTTPTransport(retries=0)
            self._http = httpx.Client(
                transport=CacheTransport(_LimitedTransport(network, self.limiter), storage=self.storage),
                headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- public -----------------------------------------------------------------------------------

    def get(self, url: str, *, refresh: bool | None = None) -> Fetched:
        """The body of `url` (2xx only), kept in the snapshot store. Raises FetchError otherwise."""
        if self.offline:
            return self.from_snapshot(url)
        assert self._http is not None
        if self.respect_robots and not self.allowed(url):
            raise RobotsDisallowed(url, f"robots.txt of {urlsplit(url).netloc} disallows {url} for "
                                        f"{ROBOTS_AGENT}; not fetched")
        if self.refresh if refresh is None else refresh:
            self._forget(url)
        response = self._send(url)
        if not response.is_success:
            raise FetchError(url, f"HTTP {response.status_code}{_hint(response.status_code, url)}",
                             status=response.status_code, body=response.content)
        caching = response.extensions.get("caching") or {}
        info = self.store.put(response.content, url=url, status=response.status_code,
                              content_type=response.headers.get("content-type"), fetched_at=utc_now())
        return Fetched(url, response.content, info, from_cache=bool(caching.get("from_cache")))

    def from_snapshot(self, url: str) -> Fetched:
        info = self.store.lookup(url)
        if info is None:
            raise OfflineMiss(url, f"not in the snapshot store {self.store.root} (offline: nothing fetched); "
                                   "run once without --offline to fetch it")
        return Fetched(url, self.store.read(info.sha256), info, from_snapshot=True)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:  # one robots.txt fetch per host, even with many threads
            if origin not in self._robots:
                self._robots[origin] = self._fetch_robots(origin, parts.hostname or "")
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, ROBOTS_AGENT)

    # -- internals --------------------------------------------------------------------------------

    def _fetch_robots(self, origin: str, host: str) -> Protego | None:
        url = f"{origin}/robots.txt"
        try:
            response = self._send(url)
        except FetchError:
            response = None
        if response is not None and response.is_success:
            rules = Protego.parse(response.text)
            delay = rules.crawl_delay(ROBOTS_AGENT)
            if delay:
                self.limiter.slow_down(host, float(delay))
            return rules
        if response is not None and 400 <= response.status_code < 500:
            return None  # RFC 9309 2.3.1.3: no robots.txt (4xx) means no restrictions
        # RFC 9309 2.3.1.4: robots.txt unreachable (5xx, network) means assume complete disallow.
        return Protego.parse("User-agent: *\nDisallow: /\n")

    def _forget(self, url: str) -> None:
        key = hashlib.sha256(f"GET {httpx.URL(url)}".encode()).hexdigest()
        for entry in self.storage.get_entries(key):
            self.storage.remove_entry(entry.id)

    def _send(self, url: str) -> httpx.Response:
        """One GET with retries on 408, 429, 5xx and transport errors; the last response otherwise."""
        headers = {}
        if self.hf_token and urlsplit(url).hostname == "huggingface.co":
            headers["Authorization"] = f"Bearer {self.hf_token}"

        def attempt() -> httpx.Response:
            response = self._http.get(url, headers=headers)
            if response.status_code in RETRY_STATUSES:
                raise _RetryableStatus(response, parse_retry_after(response.headers.get("retry-after"),
                                                                   self._now()))
            return response

        retrying = Retrying(
            retry=retry_if_exception_type((_RetryableStatus, httpx.TransportError)),
            wait=self._wait, stop=self._stop, sleep=self._sleep, reraise=True,
            before_sleep=lambda rs: log.info("retrying %s in %.1f s (%s)", url, rs.upcoming_sleep,
                                             rs.outcome.exception()))
        try:
            return retrying(attempt)
        except _RetryableStatus as exc:
            status = exc.response.status_code
            why = (f"HTTP {status} after {self._attempts_made(retrying)} tries; "
                   + (f"server asked to wait {exc.retry_after:.0f} s (Retry-After), beyond the "
                      f"{self.max_total_wait_s:.0f} s budget" if exc.retry_after and
                      exc.retry_after > self.max_total_wait_s else "giving up"))
            raise FetchError(url, why, status=status, body=exc.response.content) from None
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self._attempts_made(retrying)} tries "
                                  f"({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"network error after {self._attempts_made(retrying)} tries: "
                                  f"{type(exc).__name__}: {exc}") from None

    @staticmethod
    def _attempts_made(retrying: Retrying) -> int:
        return retrying.statistics.get("attempt_number", 1)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus) and exc.retry_after is not None:
            return exc.retry_after
        # Exponential backoff without jitter: 1, 2, 4, 8 s; deterministic, so tests can assert it.
        return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (state.attempt_number - 1))

    def _stop(self, state: RetryCallState) -> bool:
        return (state.attempt_number >= self.max_attempts
                or state.idle_for + state.upcoming_sleep > self.max_total_wait_s)


def _hint(status: int, url: str) -> str:
    host = urlsplit(url).hostname
    if host == "huggingface.co" and status in (401, 403):
        return " (gated or private repository: accept its licence on the Hub and set HF_TOKEN)"
    if status == 404:
        return " (not found: check the id)"
    return ""
