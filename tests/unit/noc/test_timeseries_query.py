import json

import httpx
import pytest

from noc.prometheus_query import PrometheusReader, PrometheusUnavailable, promql_for
from noc.timeseries import SeriesStore
from noc.timeseries_query import chart_series, series_for
from tests.helpers import free_tcp_port

T0 = 1_700_000_400.0
KEY = ("if", "core1", "Gi0/1", "in_bps")
MATRIX = {"status": "success", "data": {"resultType": "matrix", "result": [
    {"metric": {"device": "core1"}, "values": [[T0, "100"], [T0 + 60, "NaN"]]}]}}


def reader_for(status: int, body: object, seen: list[httpx.Request] | None = None):
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        text = body if isinstance(body, str) else json.dumps(body)
        return httpx.Response(status, text=text)
    return PrometheusReader("http://127.0.0.1:9090/", 1.0, httpx.MockTransport(handle))


def test_label_values_are_escaped():
    query = promql_for(("if", 'r"1', "a\\b\nc", "in_bps"))
    assert query == ('8 * noc_interface_receive_bytes_per_second'
                     '{device="r\\"1",interface="a\\\\b\\nc"}')


@pytest.mark.parametrize(("key", "expected"), [
    (("dev", "d", "cpu"), '100 * noc_device_cpu_utilization_ratio{device="d"}'),
    (("dev", "d", "rtt_ms"), '1000 * noc_icmp_rtt_seconds{device="d"}'),
    (("if", "d", "i", "out_errors"),
     'rate(noc_interface_transmit_errors_total{device="d",interface="i"}[5m])'),
    (("agency", "W1", "up"), 'noc_agency_connected{agency="W1"}'),
    (("dev", "d", "nonsense"), None),
    (("link", "l1", "in_bps"), None),  # no catalog given
])
def test_keys_map_to_promql_over_the_exported_metrics(key, expected):
    assert promql_for(key) == expected


def test_link_keys_read_the_a_end_interface():
    query = promql_for(("link", "l1", "util"), lambda name: ("core1", "Gi0/1", 1e8))
    assert query == ('8 * max(noc_interface_receive_bytes_per_second{device="core1",'
                     'interface="Gi0/1"} or noc_interface_transmit_bytes_per_second'
                     '{device="core1",interface="Gi0/1"}) / 1e+08')


async def test_range_sends_query_range_and_parses_the_matrix():
    seen: list[httpx.Request] = []
    reader = reader_for(200, MATRIX, seen)
    [series] = await reader.range("up", T0, T0 + 60, 60)
    assert series.labels == {"device": "core1"}
    assert series.points[0] == (T0, 100.0) and series.points[1][1] != series.points[1][1]
    assert seen[0].url.path == "/api/v1/query_range"
    assert seen[0].url.params["step"] == "60.000" and seen[0].url.params["query"] == "up"
    await reader.aclose()


@pytest.mark.parametrize(("status", "body", "message"), [
    (400, {"status": "error", "errorType": "bad_data", "error": "parse error"}, "parse error"),
    (502, "<html>bad gateway</html>", "not JSON"),
    (200, {"status": "success", "data": {"resultType": "vector", "result": []}}, "matrix"),
    (200, {"status": "success", "data": {"resultType": "matrix", "result": [{"x": 1}]}},
     "malformed"),
])
async def test_bad_answers_raise_unavailable(status, body, message):
    with pytest.raises(PrometheusUnavailable, match=message):
        await reader_for(status, body).range("up", T0, T0 + 60, 60)


async def test_connection_refused_raises_unavailable():
    reader = PrometheusReader(f"http://127.0.0.1:{free_tcp_port()}", 1.0)
    with pytest.raises(PrometheusUnavailable, match=r"127\.0\.0\.1"):
        await reader.range("up", T0, T0 + 60, 60)
    await reader.aclose()


def _store() -> SeriesStore:
    store = SeriesStore()
    store.record(KEY, T0, 42.0)
    return store


async def test_chart_prefers_prometheus_when_it_answers():
    chart = await chart_series(KEY, T0, T0 + 60, _store(), reader_for(200, MATRIX))
    assert chart.source == "prometheus" and chart.points[0] == (T0, 100.0)


async def test_chart_falls_back_to_the_store_and_says_why():
    reader = PrometheusReader(f"http://127.0.0.1:{free_tcp_port()}", 1.0)
    chart = await chart_series(KEY, T0, T0 + 60, _store(), reader)
    assert chart.source == "store" and chart.points == [(T0, 42.0)]
    assert chart.note.startswith("Prometheus unavailable")
    await reader.aclose()


async def test_chart_without_prometheus_or_data_there_reads_the_store():
    empty = {"status": "success", "data": {"resultType": "matrix", "result": []}}
    assert await series_for(KEY, T0, T0 + 60, _store(), None) == [(T0, 42.0)]
    chart = await chart_series(KEY, T0, T0 + 60, _store(), reader_for(200, empty))
    assert chart.source == "store" and chart.note == "no data in Prometheus"
