"""Export of poll results to InfluxDB (v2 API or v1 ``/write``) through an on-disk buffer.

:mod:`.points` turns a device's state into line protocol, :mod:`.buffer` keeps
every batch on disk until the server acknowledged it, :mod:`.transport` does
the HTTP (in a worker thread), :mod:`.writer` batches, sends and retries,
:mod:`.export` is the runtime's hook, :mod:`.metrics` the ``noc_influx_*``
self-metrics.
"""
