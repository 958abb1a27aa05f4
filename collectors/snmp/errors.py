"""Exceptions of the SNMP client (shared by the lean v1/v2c path and the v3 path).

Messages never include a community string or a USM key: they name the target
by address and port only.
"""

from __future__ import annotations

ERROR_STATUS_NAMES: dict[int, str] = {
    0: "noError", 1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr",
    6: "noAccess", 7: "wrongType", 8: "wrongLength", 9: "wrongEncoding", 10: "wrongValue",
    11: "noCreation", 12: "inconsistentValue", 13: "resourceUnavailable", 14: "commitFailed",
    15: "undoFailed", 16: "authorizationError", 17: "notWritable", 18: "inconsistentName",
}


def error_status_name(status: int) -> str:
    """The RFC 3416 name of an error-status value (``"errorStatus(N)"`` if unknown)."""
    return ERROR_STATUS_NAMES.get(status, f"errorStatus({status})")


class SnmpError(Exception):
    """Any failure of an SNMP request."""


class SnmpTimeout(SnmpError):  # noqa: N818 (the name is the API)
    """No (valid) response after the timeout and all retries."""


class SnmpProtocolError(SnmpError):
    """The agent answered, but with an error-status or a broken walk (e.g. an OID loop)."""

    def __init__(self, message: str, error_status: int = 0, error_index: int = 0) -> None:
        super().__init__(message)
        self.error_status = error_status
        self.error_index = error_index
