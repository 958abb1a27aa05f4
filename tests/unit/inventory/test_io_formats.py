"""Import/export file formats: CSV and YAML rows, empty cells, headers, BOM, numbering, errors."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from pydantic import ValidationError

from inventory.io import InventoryImportError, RowError, read_csv, read_path, read_yaml
from inventory.io.checks import message
from inventory.io.formats import fields_of, write_csv, write_yaml
from inventory.io.yamlout import dump
from inventory.schemas import DeviceRecord

DEVICE = {"name": "q1-bn-pc1", "site": "Q1-BN", "device_class": "workstation",
          "vendor": "Dell", "serial": "VN0001", "mgmt_address": None, "monitoring": "none",
          "purchase_date": date(2023, 5, 2), "funding_program": "Đề án CQĐT 2021-2025",
          "custodian": "Nguyễn Thị Hương", "snmp_port": 161}


def test_csv_header_is_schema_order_and_empty_cells_follow_the_field_kind():
    text = write_csv("device", [DEVICE])
    header, row = text.splitlines()
    assert header.split(",") == fields_of("device")
    assert text.endswith("\n") and "\r" not in text
    assert "Nguyễn Thị Hương" in row and "2023-05-02" in row
    [read] = read_csv(text, "devices.csv").rows
    assert read.data["mgmt_address"] is None  # str | None: empty cell is None
    assert read.data["warranty_end"] is None  # date | None
    assert read.data["model"] == ""  # plain text: empty cell is ""
    assert read.data["purchase_date"] == "2023-05-02"


def test_empty_cell_of_a_field_with_a_default_means_not_given():
    text = "name,site,device_class,snmp_port,status\nx,Q1,kiosk,,\n"
    [row] = read_csv(text, "d.csv", "device").rows
    assert "snmp_port" not in row.data and "status" not in row.data


@pytest.mark.parametrize("entity", ["agency", "site", "device", "interface", "link"])
def test_the_header_tells_the_entity(entity):
    batch = read_csv(",".join(reversed(fields_of(entity))) + "\n", "x.csv")
    assert batch.errors == [] and batch.entities == {entity}


def test_an_unknown_header_names_unknown_and_missing_columns():
    header = [f for f in fields_of("device") if f != "custodian"] + ["owner"]
    batch = read_csv(",".join(header) + "\n", "devices.csv")
    [error] = batch.errors
    assert str(error).startswith("devices.csv row 1: the header matches no entity; closest is "
                                 "device: unknown column(s) owner; missing column(s) custodian")


def test_forced_entity_allows_some_columns_but_not_unknown_ones_or_a_missing_key():
    assert read_csv("name,custodian\nx,Lê Văn An\n", "c.csv", "device").rows[0].data == {
        "name": "x", "custodian": "Lê Văn An"}
    assert "unknown column(s) owner" in str(read_csv("name,owner\n", "c.csv", "device").errors[0])
    assert "missing column(s) name" in str(read_csv("custodian\n", "c.csv", "device").errors[0])


def test_bom_is_accepted_and_rows_are_numbered_as_in_a_spreadsheet(tmp_path):
    path = tmp_path / "agencies.csv"
    body = "code,kind,name_vi,name_en,parent,contact_name,contact_phone,contact_email\n"
    body += "Q1,district,Quận 1,,,,,\n\n,,,,,,,\nQ3,district,Quận 3,,,,,\nQ4,district,x,,,,,,,\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    batch = read_path(path)
    assert [(r.number, r.data["code"]) for r in batch.rows] == [(2, "Q1"), (5, "Q3")]
    assert [str(e) for e in batch.errors] == [
        "agencies.csv row 6: 10 cells but the header has 8 columns"]


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "devices.csv"
    path.write_bytes("name\nĐà Nẵng\n".encode("cp1258", errors="replace"))
    assert "not UTF-8" in str(read_path(path).errors[0])


def test_yaml_round_trip_keeps_diacritics_readable_and_numbers_items():
    text = write_yaml({"device": [DEVICE], "site": []})
    assert "custodian: Nguyễn Thị Hương" in text and "purchase_date: 2023-05-02" in text
    assert "sites: []" in text and "agencies" not in text
    batch = read_yaml(text, "inv.yaml")
    assert batch.entities == {"device", "site"}
    [row] = batch.rows
    assert (row.source, row.number, row.unit) == ("inv.yaml devices", 1, "item")
    assert row.data["purchase_date"] == date(2023, 5, 2) and row.data["model"] == ""


def test_yaml_structure_errors_name_the_section_and_item():
    assert "expected format: metronet-inventory" in str(read_yaml("a: 1\n", "x.yaml").errors[0])
    text = "format: metronet-inventory\nversion: 1\nboxes: []\ndevices:\n- name: a\n- 5\n"
    assert [str(e) for e in read_yaml(text, "x.yaml").errors] == [
        "x.yaml: unknown section(s) boxes; known: agencies, sites, devices, interfaces, links",
        "x.yaml devices item 2: a record is a mapping of field: value"]
    assert "not valid YAML" in str(read_yaml("a: [\n", "x.yaml").errors[0])


@pytest.mark.parametrize("value", [
    "", " lead", "trail ", "yes", "No", "null", "~", "0123", "1.5", "2021-01-01", "- x", "a: b",
    "a #b", "#x", "x:", "a\nb", "tab\there", "\x85", "\u2028", "'q'", '"dq"', "\\", "@x", "[x]",
    "{x}", "!x", "&x", "*x", "|x", ">x", "?x", "12:30", "on", "\ufeffbom", "\x7f", "😀", "1_000",
    "Phường Bến Nghé", None, True, 0, -5, 10.7769, 1e-05, float("inf"), date(2021, 3, 4)])
def test_yaml_writer_values_read_back_identical(value):
    back = yaml.safe_load(dump({"v": value}, {}))["v"]
    assert back == value and type(back) is type(value)


def test_error_text_names_source_row_field_and_caps_the_list():
    error = RowError("devices.csv", 17, "mgmt_address", "'127.40.0.300' is not an IPv4 address")
    assert str(error) == ("devices.csv row 17, field mgmt_address: '127.40.0.300' is not an IPv4 "
                          "address")
    many = InventoryImportError([RowError("d.csv", n, "f", "bad") for n in range(2, 152)])
    lines = str(many).splitlines()
    assert lines[0] == "import rejected, nothing changed: 150 error(s)"
    assert len(lines) == 102 and lines[-1] == "and 50 more"


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("mgmt_address", "127.40.0.300", "'127.40.0.300' is not an IPv4 or IPv6 address"),
    ("device_class", "toaster", "unknown value 'toaster'; expected 'router'"),
    ("purchase_date", "2023-02-30", "'2023-02-30' is not a date (YYYY-MM-DD)"),
    ("snmp_port", "x", "'x' is not a whole number"),
    ("owner", "x", "unknown field; known fields: name, site"),
])
def test_validation_messages_speak_to_a_technician(field, value, expected):
    with pytest.raises(ValidationError) as info:
        DeviceRecord.model_validate({**DEVICE, field: value})
    [error] = info.value.errors()
    assert error["loc"] == (field,)
    assert message("device", error).startswith(expected)
