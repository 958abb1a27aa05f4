"""Form bodies without python-multipart: URL-encoded fields, and the CSRF field of a multipart body.

The login and admin forms post ``application/x-www-form-urlencoded``;
:func:`form_fields` reads them. The CSRF check also understands a
``multipart/form-data`` body (file uploads), parsed with the standard library.
"""

from __future__ import annotations

import email.parser
import email.policy
import hmac
from urllib.parse import parse_qs

from starlette.requests import Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def parse_urlencoded(body: bytes) -> dict[str, str]:
    """The fields of a URL-encoded body (first value of each; bad bytes replaced)."""
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                      max_num_fields=200)
    return {key: values[0] for key, values in fields.items()}


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a URL-encoded form request ({} for any other body)."""
    if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"):
        return {}
    return parse_urlencoded(await request.body())


def multipart_field(content_type: str, body: bytes, name: str) -> str | None:
    """The text value of field ``name`` in a ``multipart/form-data`` body (None: absent)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == name:
            payload = part.get_payload(decode=True)
            return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    return None


async def csrf_matches(request: Request, expected: str) -> bool:
    """Whether the request carries ``expected`` in the header or the form field."""
    if not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            sent = parse_urlencoded(await request.body()).get(CSRF_FIELD)
        elif content_type.startswith("multipart/form-data"):
            sent = multipart_field(content_type, await request.body(), CSRF_FIELD)
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())
