"""Server-Timing for measurements: with GOVSITE_SERVER_TIMING=1 every response says how long it
took inside Django (`app`, wall clock) and how much CPU its own thread used (`cpu`). CPU of one
request does not depend on the machine's load or on other threads holding the GIL, so a request
that is slow because it recomputed something stands out from one that only waited."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        w0, c0 = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        cpu, wall = (time.thread_time() - c0) * 1000, (time.perf_counter() - w0) * 1000
        response.headers["Server-Timing"] = f"cpu;dur={cpu:.2f}, app;dur={wall:.2f}"
        return response
