"""SNMP trap reception: v1/v2c/v3 decoding, classification and a rate-limited UDP receiver.

This package knows protocols only; :mod:`noc.alerting.traps` turns traps into
alert conditions and the alerts page's list.
"""

from collectors.traps.classify import Verdict, alarms_cleared_by, classify
from collectors.traps.decode import Decoded, TrapDecoder
from collectors.traps.model import Trap
from collectors.traps.receiver import TrapReceiver, TrapStats
from collectors.traps.wire import TrapAuthError, TrapDecodeError

__all__ = ["Decoded", "Trap", "TrapAuthError", "TrapDecodeError", "TrapDecoder",
           "TrapReceiver", "TrapStats", "Verdict", "alarms_cleared_by", "classify"]
