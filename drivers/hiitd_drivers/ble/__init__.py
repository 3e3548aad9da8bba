"""The bleak adapter: scan, bind, connect, subscribe, watchdog, reconnect.

The only package importing bleak and bleak-retry-connector. It hands up
``Sample``s only and translates every bleak/D-Bus error into a ``BleError``
with advice. Its modules, one concept each:

- ``sensor_link``: ``SensorLink``, one sensor role kept connected until cancelled;
- ``scanner``: the one-off ``scan`` (``hiitd scan``) and bleak's scan arguments;
- ``bleak_errors``: bleak's and D-Bus's errors translated into ``BleError``;
- ``advice`` (pure): what to tell the user, keyed by D-Bus error name;
- ``watchdog``: a link is also lost when it goes quiet.

Policy lives in pure modules outside it: ``binding`` (which device),
``backoff`` (when), ``decoding`` (bytes to samples). Nothing is re-exported
here: callers import from the defining module.
"""
