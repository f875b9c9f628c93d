"""`zkwork serve`: Groth16 proving and verification over HTTP (issue #15's service).

    workers.py   the pool of proving processes, each with its own compiled Prover per circuit
    metrics.py   the guide's metrics (zkwork.monitoring's names and buckets) plus the service's gauges
    app.py       the Starlette application: routes, back-pressure, errors as JSON
    loadgen.py   the open-loop load generator of `zkwork loadtest` (loopback only)
    prometheus.py  a real Prometheus (Debian's) scraping the service in load tests: generated
                 config, start/stop, API reads, the error the guide's buckets allow
    overhead.py  `zkwork bench service`: the service's own cost per request beside in-process work

Needs the 'service' extra (starlette, uvicorn, httpx, prometheus_client).
"""
