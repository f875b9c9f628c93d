"""`zkwork serve`: Groth16 proving and verification over HTTP (issue #15's service).

    workers.py   the pool of proving processes, each with its own compiled Prover per circuit
    metrics.py   the guide's metrics (zkwork.monitoring's names and buckets) plus the service's gauges
    app.py       the Starlette application: routes, back-pressure, errors as JSON

Needs the 'service' extra (starlette, uvicorn, httpx, prometheus_client).
"""
