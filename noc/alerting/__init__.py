"""Alerting: rules over the live state, alert lifecycle, topology-aware incidents, paging.

Data flows one way: state + catalog + traps -> :mod:`rules` (conditions) ->
:mod:`lifecycle` (pending/firing/resolved) -> :mod:`topology` (suppression,
incidents) -> maintenance/silence/ack (:mod:`actions`) -> :mod:`notify`
(Alertmanager, webhook, e-mail) with :mod:`oncall` escalation. The shared
types live in :mod:`noc.alerting.model`.
"""
