from noc.lab.demand import demands, link_mbps
from noc.lab.live import build_views
from noc.lab.model import AgencyKind
from noc.lab.recordings import port_ifindex
from noc.lab.topology import build_topology

T0 = 1_800_000_000.0


def test_both_ends_of_a_link_count_the_same_traffic():
    topo = build_topology("small")
    views = {v.name: v for v in build_views(topo, epoch=T0 - 3600)}
    for link in topo.links:
        a, b = views[link.a_device], views[link.b_device]
        assert a.device.recording is not None and b.device.recording is not None
        a_if = port_ifindex(a.device.recording, link.a_port)
        b_if = port_ifindex(b.device.recording, link.b_port)
        if sum(1 for lk in topo.links if lk.a_device == link.a_device
               and port_ifindex(a.device.recording, lk.a_port) == a_if) > 1:
            continue  # a shared (round-robin) port carries several links
        a_out = a.rate_bps(a_if, T0, "out")
        b_in = b.rate_bps(b_if, T0, "in")
        assert abs(a_out - b_in) <= 1e-6 * max(a_out, 1.0), link.name


def test_a_district_uplink_carries_its_wards():
    topo = build_topology("small")
    sites = {s.code: s.agency for s in topo.sites}
    kinds = {a.code: a.kind for a in topo.agencies}
    demand = demands(topo)
    mbps = link_mbps(topo)
    for link in topo.links:
        agency = sites[topo.device(link.b_device).site]
        if kinds[agency] != AgencyKind.DISTRICT or agency == sites[topo.device(
                link.a_device).site]:
            continue
        wards = [lk for lk in topo.links if lk.a_device == link.b_device
                 and kinds[sites[topo.device(lk.b_device).site]] == AgencyKind.WARD]
        assert wards
        assert demand[link.b_device] > sum(demand[w.b_device] for w in wards)
        assert mbps[link.name] > max(mbps[w.name] for w in wards)


def test_no_link_exceeds_its_bandwidth_at_the_daily_peak():
    topo = build_topology("city")
    mbps = link_mbps(topo)
    for link in topo.links:
        assert mbps[link.name] * 2.12 * 0.65 <= 0.9 * link.bandwidth_mbps + 1e-9
