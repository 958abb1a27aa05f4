"""UI text of the login, users and API tokens (Vietnamese and English)."""

from __future__ import annotations

TEXT_AUTH: dict[str, dict[str, str]] = {
}
