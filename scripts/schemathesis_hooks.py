"""Schemathesis hooks for `make schemathesis` (loaded through SCHEMATHESIS_HOOKS).

The mock is stateful and the run is not: a fault rule that `POST /__admin/faults` adds (say, "answer every
request with 503") would answer for every request that follows, so each check would judge the fault instead of
the operation. Each rule is removed as soon as the request that added it has been checked.
"""

import requests

import schemathesis


@schemathesis.hook
def after_call(context, case, response):
    if case.method.upper() != "POST" or case.path != "/__admin/faults" or response.status_code != 200:
        return
    rule = response.json().get("id")
    if rule:
        url = response.request.url.split("?", 1)[0].rstrip("/")
        requests.delete(f"{url}/{rule}", headers=dict(response.request.headers), timeout=10).raise_for_status()
