import time, logging
from faststream.kafka import KafkaBroker
from libs.common.kafka import KafkaPublisher

async def test_timing(kafka_bootstrap):
    p = KafkaPublisher(kafka_bootstrap); t=time.monotonic(); await p.start(); print("publisher", time.monotonic()-t); await p.stop()
    b = KafkaBroker(kafka_bootstrap, logger=logging.getLogger("x"))
    async def h(m): pass
    b.subscriber("shipments.created", group_id="tgrp-x", auto_offset_reset="earliest")(h)
    t=time.monotonic(); await b.start(); print("broker 1 topic", time.monotonic()-t); await b.stop()
    b = KafkaBroker(kafka_bootstrap, logger=logging.getLogger("x"))
    for topic in ["shipments.created","orders.downloaded","shops.changed"]:
        b.subscriber(topic, group_id="tgrp-y", auto_offset_reset="earliest")(h)
    t=time.monotonic(); await b.start(); print("broker 3 topics", time.monotonic()-t); await b.stop()
