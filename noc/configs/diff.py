"""Unified diffs of configurations that never show a secret.

The lines to compare are the *raw* ones (so a changed password is a changed
line), the lines printed are the *masked* ones (:func:`~noc.configs.mask.mask_secrets`
keeps the line count, so both sides line up): a changed secret shows as
``-… <masked>`` / ``+… <masked>``, and its value never appears.
"""

from __future__ import annotations

import difflib

from noc.configs.mask import mask_secrets

__all__ = ["change_counts", "masked_diff", "split_lines"]


def split_lines(text: str) -> list[str]:
    r"""The lines of ``text`` split on ``\n`` only (a final newline ends the last line)."""
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def change_counts(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) going from ``old`` to ``new``."""
    matcher = difflib.SequenceMatcher(None, split_lines(old), split_lines(new), autojunk=False)
    added = removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed


def _range(start: int, stop: int) -> str:
    """A hunk range in unified diff notation (``start,length``, 1-based)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def masked_diff(old: str, new: str, platform: str = "", *, old_label: str = "a",
                new_label: str = "b", context: int = 3) -> str:
    """A unified diff from ``old`` to ``new`` with secrets masked; "" when they are equal."""
    raw_old, raw_new = split_lines(old), split_lines(new)
    shown_old = split_lines(mask_secrets(old, platform))
    shown_new = split_lines(mask_secrets(new, platform))
    matcher = difflib.SequenceMatcher(None, raw_old, raw_new, autojunk=False)
    out = [f"--- {old_label}", f"+++ {new_label}"]
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(" " + line for line in shown_new[j1:j2])
                continue
            if tag in ("replace", "delete"):
                out.extend("-" + line for line in shown_old[i1:i2])
            if tag in ("replace", "insert"):
                out.extend("+" + line for line in shown_new[j1:j2])
    return "\n".join(out) + "\n" if len(out) > 2 else ""
