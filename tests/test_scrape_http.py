"""The polite HTTP layer, offline: respx answers every request; sleeps and clocks are fakes."""

from __future__ import annotations

import datetime as dt
import email.utils

import httpx
import pytest
import respx

from scrapers.http import (USER_AGENT, FetchError, HostLimit, HostLimiter, OfflineMiss, PoliteClient,
                           RobotsDisallowed, parse_retry_after)
from scrapers.snapshots import SnapshotStore

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.timezone.utc)
URL = "https://example.org/api/models/toylab/Toy"


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(tmp_path, clock):
    clients = []

    def make(**kwargs):
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("now", lambda: NOW)
        kwargs.setdefault("limiter", HostLimiter({}, clock=clock, sleep=clock.sleep))
        client = PoliteClient(SnapshotStore(tmp_path / "snapshots"), **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def mock():
    with respx.mock(assert_all_called=False) as router:
        router.get("https://example.org/robots.txt").respond(404)
        yield router


def test_429_then_success_waits_the_seconds_retry_after_asks(make_client, mock, clock):
    route = mock.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "7"}),
                                            httpx.Response(200, json={"id": "toylab/Toy"})])
    fetched = make_client().get(URL)
    assert fetched.content == b'{"id":"toylab/Toy"}'
    assert route.call_count == 2
    assert clock.sleeps == [7.0]


def test_429_with_http_date_retry_after_waits_until_that_date(make_client, mock, clock):
    later = email.utils.format_datetime(NOW + dt.timedelta(seconds=42), usegmt=True)
    mock.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": later}),
                                    httpx.Response(200, text="ok")])
    assert make_client().get(URL).content == b"ok"
    assert clock.sleeps == [42.0]


def test_retry_after_parsing():
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after(email.utils.format_datetime(NOW - dt.timedelta(seconds=5), usegmt=True), NOW) == 0.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_503_backs_off_exponentially_then_succeeds(make_client, mock, clock):
    route = mock.get(URL).mock(side_effect=[httpx.Response(503)] * 3 + [httpx.Response(200, text="ok")])
    assert make_client().get(URL).content == b"ok"
    assert route.call_count == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_503_forever_gives_up_after_bounded_attempts(make_client, mock, clock):
    route = mock.get(URL).respond(503)
    with pytest.raises(FetchError, match=r"HTTP 503 after 5 tries") as info:
        make_client().get(URL)
    assert info.value.url == URL and info.value.status == 503
    assert route.call_count == 5
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_retry_after_beyond_the_budget_gives_up_at_once(make_client, mock, clock):
    route = mock.get(URL).respond(429, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError, match="asked to wait 3600 s"):
        make_client().get(URL)
    assert route.call_count == 1 and clock.sleeps == []


def test_timeout_is_retried_then_reported(make_client, mock, clock):
    route = mock.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(FetchError, match="timed out after 5 tries"):
        make_client().get(URL)
    assert route.call_count == 5


def test_timeout_then_success(make_client, mock):
    mock.get(URL).mock(side_effect=[httpx.ConnectTimeout("slow"), httpx.Response(200, text="ok")])
    assert make_client().get(URL).content == b"ok"


def test_every_request_has_a_timeout_and_the_user_agent(make_client, mock):
    route = mock.get(URL).respond(200, text="ok")
    make_client().get(URL)
    request = route.calls.last.request
    assert request.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("cegdb/") and "(+https://github.com/cegdb/cegdb)" in USER_AGENT
    timeouts = request.extensions["timeout"]
    assert all(timeouts[k] is not None for k in ("connect", "read", "write", "pool"))


def test_404_is_not_retried(make_client, mock):
    route = mock.get(URL).respond(404)
    with pytest.raises(FetchError, match="HTTP 404"):
        make_client().get(URL)
    assert route.call_count == 1


def test_robots_disallow_is_a_clear_error_naming_the_url(make_client, clock):
    with respx.mock(assert_all_called=False) as router:
        router.get("https://example.org/robots.txt").respond(200, text="User-agent: *\nDisallow: /api/\n")
        route = router.get(URL).respond(200, text="never")
        with pytest.raises(RobotsDisallowed) as info:
            make_client().get(URL)
    assert URL in str(info.value) and "robots.txt" in str(info.value)
    assert route.call_count == 0


def test_robots_allow_and_crawl_delay(make_client, clock):
    with respx.mock(assert_all_called=False) as router:
        robots = router.get("https://example.org/robots.txt").respond(
            200, text="User-agent: *\nDisallow: /private/\nCrawl-delay: 5\n")
        router.get(url__startswith="https://example.org/api/").respond(200, text="ok")
        client = make_client()
        client.get(URL)
        client.get(URL + "2")
    assert robots.call_count == 1  # robots.txt is read once per host
    assert clock.sleeps == [5.0]  # the second request waited for the Crawl-delay


def test_robots_unreachable_means_disallow(make_client):
    with respx.mock(assert_all_called=False) as router:
        router.get("https://example.org/robots.txt").respond(500)
        with pytest.raises(RobotsDisallowed):
            make_client(max_attempts=1).get(URL)


def test_second_request_is_served_from_the_cache(make_client, mock):
    route = mock.get(URL).respond(200, text="body")
    client = make_client()
    first, second = client.get(URL), client.get(URL)
    assert route.call_count == 1
    assert not first.from_cache and second.from_cache
    assert first.snapshot.sha256 == second.snapshot.sha256
    third = client.get(URL, refresh=True)
    assert route.call_count == 2 and not third.from_cache


def test_offline_serves_the_snapshot_and_a_miss_is_a_clear_error(make_client, mock):
    mock.get(URL).respond(200, text="kept")
    make_client().get(URL)
    offline = make_client(offline=True)
    assert offline.get(URL).content == b"kept" and offline.get(URL).from_snapshot
    with pytest.raises(OfflineMiss, match="not in the snapshot store") as info:
        offline.get(URL + "-other")
    assert URL + "-other" in str(info.value)


def test_offline_never_touches_the_network(make_client):
    with respx.mock(assert_all_called=False) as router:
        with pytest.raises(OfflineMiss):
            make_client(offline=True).get(URL)
    assert router.calls.call_count == 0


def test_hf_token_goes_to_huggingface_only(make_client):
    with respx.mock(assert_all_called=False) as router:
        router.get(url__regex=r".*/robots.txt").respond(404)
        hf = router.get("https://huggingface.co/api/models/toylab/Toy").respond(200, json={})
        other = router.get(URL).respond(200, text="ok")
        client = make_client(hf_token="hf_secret")
        client.get("https://huggingface.co/api/models/toylab/Toy")
        client.get(URL)
    assert hf.calls.last.request.headers["authorization"] == "Bearer hf_secret"
    assert "authorization" not in other.calls.last.request.headers


def test_gated_repo_says_what_to_do(make_client):
    with respx.mock(assert_all_called=False) as router:
        router.get("https://huggingface.co/robots.txt").respond(404)
        router.get("https://huggingface.co/toylab/Gated/resolve/main/config.json").respond(401)
        with pytest.raises(FetchError, match="HF_TOKEN"):
            make_client(hf_token="").get("https://huggingface.co/toylab/Gated/resolve/main/config.json")


def test_per_host_rate_limit_spaces_request_starts(clock):
    """arXiv asks for one request per 3 s; measured on a fake clock, no timing assertions."""
    limiter = HostLimiter({"export.arxiv.org": HostLimit(3.0, 1)}, default=HostLimit(0.0, 8),
                          clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        with limiter.slot("export.arxiv.org"):
            starts.append(clock())
            clock.now += 0.5  # the request itself takes half a second
    assert [b - a for a, b in zip(starts, starts[1:])] == [3.0, 3.0, 3.0]
    before = clock()
    with limiter.slot("huggingface.example"):
        assert clock() == before  # another host is not held back


def test_rate_limit_applies_through_the_client(make_client, clock):
    limiter = HostLimiter({"export.arxiv.org": HostLimit(3.0, 1)}, clock=clock, sleep=clock.sleep)
    with respx.mock(assert_all_called=False) as router:
        router.get("https://export.arxiv.org/robots.txt").respond(404)
        router.get(url__startswith="https://export.arxiv.org/api/query").respond(200, text="<feed/>")
        client = make_client(limiter=limiter)
        for number in range(3):
            client.get(f"https://export.arxiv.org/api/query?id_list=2412.1943{number}")
    # robots.txt, then three queries: each start 3 s after the previous one.
    assert clock.sleeps == [3.0, 3.0, 3.0]


def test_arxiv_is_limited_to_one_connection_by_default():
    assert HostLimiter().limit_for("export.arxiv.org") == HostLimit(3.0, 1)


def test_snapshot_is_written_before_it_is_returned_and_never_overwritten(make_client, mock, tmp_path):
    mock.get(URL).respond(200, text="v1", headers={"content-type": "application/json"})
    fetched = make_client().get(URL)
    path = tmp_path / "snapshots" / fetched.snapshot.path
    assert path.read_bytes() == b"v1" and path.name == fetched.snapshot.sha256
    assert fetched.snapshot.content_type == "application/json" and fetched.snapshot.size == 2
    mtime = path.stat().st_mtime_ns
    store = SnapshotStore(tmp_path / "snapshots")
    assert store.put(b"v1", url="https://elsewhere.example/").sha256 == fetched.snapshot.sha256
    assert path.stat().st_mtime_ns == mtime
    assert not list(path.parent.glob(".tmp-*"))
