"""Configuration backup: fetch running configurations, store versions, mask secrets, diff.

- :mod:`noc.configs.backup`: :func:`backup_device` fetches one device's running
  configuration over SSH and returns a :class:`ConfigChange` when it changed
  (the runtime raises a ``config_changed`` event with it).
- :mod:`noc.configs.store`: :class:`ConfigStore` keeps versions as compressed,
  content-addressed files indexed by :class:`~inventory.records.ConfigVersion`.
- :mod:`noc.configs.normalize`: drops lines that change on every fetch.
- :mod:`noc.configs.mask`: :func:`mask_secrets`, applied to every view and diff.
- :mod:`noc.configs.diff`: unified diffs computed on raw lines, shown masked.

The command line is ``noc config list|show|diff`` (:mod:`noc.cli_config`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from noc.configs.diff import masked_diff
from noc.configs.mask import MASK, mask_secrets
from noc.configs.normalize import normalize
from noc.configs.store import ConfigObjectError, ConfigStore, Rev, SavedVersion, VersionInfo

if TYPE_CHECKING:
    from noc.configs.backup import CONFIG_COMMANDS, ConfigChange, backup_device, config_command

_LAZY = frozenset({"CONFIG_COMMANDS", "ConfigChange", "backup_device", "config_command"})


def __getattr__(name: str) -> Any:
    """The backup names, imported on first use (the SSH stack is slow to import)."""
    if name in _LAZY:
        return getattr(importlib.import_module("noc.configs.backup"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CONFIG_COMMANDS", "MASK", "ConfigChange", "ConfigObjectError", "ConfigStore", "Rev",
           "SavedVersion", "VersionInfo", "backup_device", "config_command", "mask_secrets",
           "masked_diff", "normalize"]
