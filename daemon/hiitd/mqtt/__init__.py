"""The MQTT side of hiitd: topics and payloads (pure), the broker link, tools.

The only package that imports aiomqtt (docs/architecture.md, "Layer rules"). Nothing is
re-exported here: importing a pure module (``topics``, ``payloads``) must not
load aiomqtt or amqtt, so callers import from the defining module.
"""
