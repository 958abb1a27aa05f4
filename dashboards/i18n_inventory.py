"""UI text of the technicians' inventory pages (Vietnamese and English)."""

from __future__ import annotations

TEXT_INVENTORY: dict[str, dict[str, str]] = {
}
