"""UI text of the operators' pages: agency, device, link, alerts, topology (vi and en)."""

from __future__ import annotations

TEXT_OPS: dict[str, dict[str, str]] = {
}
