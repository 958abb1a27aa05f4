from collectors.snmp import mibs
from collectors.snmp.ber import Oid, Tag, VarBind
from collectors.snmp.parsers import parse_interfaces, parse_system


def col(column: Oid, rows: dict[int, tuple[int, object]]) -> list[VarBind]:
    return [((*column, i), tag, value) for i, (tag, value) in rows.items()]  # type: ignore[misc]


def test_system_group_decodes_utf8_names_and_ticks():
    vbs: list[VarBind] = [
        (mibs.SYS_DESCR, Tag.OCTET_STRING, b"Cisco IOS Software"),
        (mibs.SYS_OBJECT_ID, Tag.OID, (1, 3, 6, 1, 4, 1, 9, 1, 516)),
        (mibs.SYS_UPTIME, Tag.TIMETICKS, 123456),
        (mibs.SYS_NAME, Tag.OCTET_STRING, b"q1-bn-sw1"),
        (mibs.SYS_LOCATION, Tag.OCTET_STRING, "Phường Bến Nghé, Quận 1".encode()),
        (mibs.SYS_CONTACT, Tag.NO_SUCH_OBJECT, None),
    ]
    info = parse_system(vbs)
    assert info.location == "Phường Bến Nghé, Quận 1"
    assert info.object_id == "1.3.6.1.4.1.9.1.516"
    assert info.uptime_ticks == 123456 and info.contact == ""


def test_latin1_fallback_for_non_utf8_strings():
    info = parse_system([(mibs.SYS_DESCR, Tag.OCTET_STRING, b"caf\xe9")])
    assert info.descr == "café"


def test_interfaces_prefer_hc_counters_and_high_speed():
    c, x = mibs.IF_COLUMNS, mibs.IFX_COLUMNS
    walked = {
        c["descr"]: col(c["descr"], {1: (Tag.OCTET_STRING, b"Gi0/1"),
                                     2: (Tag.OCTET_STRING, b"Vl1")}),
        c["oper_status"]: col(c["oper_status"], {1: (Tag.INTEGER, 1), 2: (Tag.INTEGER, 2)}),
        c["admin_status"]: col(c["admin_status"], {1: (Tag.INTEGER, 1), 2: (Tag.INTEGER, 1)}),
        c["speed"]: col(c["speed"], {1: (Tag.GAUGE32, 4294967295), 2: (Tag.GAUGE32, 10**8)}),
        c["in_octets"]: col(c["in_octets"], {1: (Tag.COUNTER32, 5), 2: (Tag.COUNTER32, 7)}),
        c["out_octets"]: col(c["out_octets"], {1: (Tag.COUNTER32, 6), 2: (Tag.COUNTER32, 8)}),
        c["in_errors"]: col(c["in_errors"], {1: (Tag.COUNTER32, 3)}),
        x["name"]: col(x["name"], {1: (Tag.OCTET_STRING, b"GigabitEthernet0/1")}),
        x["hc_in_octets"]: col(x["hc_in_octets"], {1: (Tag.COUNTER64, 2**40)}),
        x["hc_out_octets"]: col(x["hc_out_octets"], {1: (Tag.COUNTER64, 2**41)}),
        x["high_speed"]: col(x["high_speed"], {1: (Tag.GAUGE32, 10_000)}),
    }
    one, two = parse_interfaces(walked)
    assert one.name == "GigabitEthernet0/1" and one.counter_bits == 64
    assert one.counters["in_octets"] == 2**40 and one.counters["in_errors"] == 3
    assert one.speed_bps == 10_000 * 10**6
    assert two.name == "Vl1" and two.counter_bits == 32  # no ifName: falls back to ifDescr
    assert two.counters["in_octets"] == 7 and two.speed_bps == 10**8
    assert two.oper_status == 2


def test_exceptions_and_deeper_indexes_are_ignored():
    c = mibs.IF_COLUMNS
    walked = {c["descr"]: [((*c["descr"], 1), Tag.OCTET_STRING, b"a"),
                           ((*c["descr"], 2), Tag.NO_SUCH_INSTANCE, None),
                           ((*c["descr"], 3, 1), Tag.OCTET_STRING, b"odd")]}
    assert [s.if_index for s in parse_interfaces(walked)] == [1]
