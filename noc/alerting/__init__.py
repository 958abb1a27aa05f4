"""Alerting: rules over the live state, alert lifecycle, topology-aware incidents, paging.

Data flows one way: state + catalog + traps -> :mod:`.conditions` (rules of
:mod:`.rules`; :mod:`.traps` and :mod:`.link_traps` for trap-raised ones) ->
:mod:`.lifecycle` (pending/firing/resolved) -> :mod:`.topology` and
:mod:`.incidents` (suppression, one incident per root cause) -> maintenance
windows (:mod:`.maintenance`) and silences mute -> :mod:`.notify`
(Alertmanager, webhook, e-mail) with :mod:`.oncall` routing and
:mod:`.escalation`. :mod:`.service` runs it every second and persists it
through :mod:`.store`; the shared types live in :mod:`.model`, what the
pages see in :mod:`.view`.
"""
