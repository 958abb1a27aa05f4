import pytest

from noc.lab.faults import UnknownTargetError, resolve, unreachable
from noc.lab.model import AgencyKind, LabTopology, Network
from noc.lab.topology import build_topology


@pytest.fixture(scope="module")
def topo() -> LabTopology:
    return build_topology("small")


def ward_uplink(topo: LabTopology) -> tuple[str, str]:
    agencies = {a.code: a for a in topo.agencies}
    sites = {s.code: s for s in topo.sites}
    for link in topo.links:
        b = topo.device(link.b_device)
        if agencies[sites[b.site].agency].kind == AgencyKind.WARD and \
                link.network == Network.METRONET:
            return link.name, b.site
    raise AssertionError("no ward uplink in the small lab")


def test_nothing_broken_everything_reachable(topo):
    assert unreachable(topo, []) == set()


def test_broken_ward_uplink_cuts_that_ward_only(topo):
    link, site = ward_uplink(topo)
    cut = unreachable(topo, [link])
    assert cut, "the ward must be cut off"
    assert {topo.device(n).site for n in cut} == {site}
    # ICMP-only assets of the ward go with its switch
    assert any(not topo.device(n).snmp for n in cut)


def test_broken_district_switch_cuts_its_wards_too(topo):
    district = next(a for a in topo.agencies if a.kind == AgencyKind.DISTRICT)
    wards = {a.code for a in topo.agencies if a.parent == district.code}
    sites = {s.code: s.agency for s in topo.sites}
    cut = unreachable(topo, [district.code])
    cut_agencies = {sites[topo.device(n).site] for n in cut}
    assert cut_agencies == wards | {district.code}


def test_dual_homed_agency_survives_one_broken_uplink(topo):
    by_b: dict[str, list[str]] = {}
    for link in topo.links:
        by_b.setdefault(link.b_device, []).append(link.name)
    dual = next(dev for dev, links in by_b.items() if len(links) >= 2)
    assert dual not in unreachable(topo, [by_b[dual][0]])
    assert dual in unreachable(topo, by_b[dual])


def test_unknown_target_is_refused_with_its_name(topo):
    with pytest.raises(UnknownTargetError, match="no-such-thing"):
        resolve(topo, "no-such-thing")
    assert resolve(topo, topo.devices[0].name) == "device"
