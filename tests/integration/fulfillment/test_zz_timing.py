import time, pytest
from libs.common.runtime import ServiceRuntime
from services.fulfillment.app import build_app
from services.fulfillment.settings import FulfillmentSettings
from tests.support.stack import shared_settings
import libs.common.runtime as rt

async def test_timing(pg_dsn, kafka_bootstrap, sandbox_url, internal_token):
    s = FulfillmentSettings(**shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url, internal_token=internal_token))
    app = build_app(s)
    r = app.state.runtime
    orig_ensure = rt.ensure_topics
    async def timed_ensure(*a, **k):
        t=time.monotonic(); res = await orig_ensure(*a, **k); print("ensure_topics", time.monotonic()-t); return res
    rt.ensure_topics = timed_ensure
    t = time.monotonic()
    await r.start()
    print("start total", time.monotonic()-t)
    t = time.monotonic(); await r.stop(); print("stop", time.monotonic()-t)
