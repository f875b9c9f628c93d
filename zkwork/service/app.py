"""The Starlette application of `zkwork serve`.

    POST /v1/prove/{circuit}    input.json's object -> {"proof": proof.json, "public": public.json}
    POST /v1/verify/{circuit}   {"proof": proof.json, "public": public.json} -> {"valid": bool}
    GET  /health                200 while the process serves (liveness)
    GET  /ready                 200 {"ready": true} once every worker has proved each circuit once, else 503
    GET  /metrics               Prometheus text exposition (zkwork.service.metrics)

Statuses: 400 a body that is not JSON (or not an object, or nested deeper than MAX_JSON_DEPTH);
404 an unknown circuit or path; 405 a wrong method; 413 a body over the size limit; 422 inputs
the circuit rejects (CircuitInputError naming the input, UnsatisfiedConstraintError naming the
constraint) or a proof / public signals that cannot be read; 503 + Retry-After when the prove
queue is full (at once, never a wait); 504 when a prove request's deadline passes (waiting or
proving; a proof already running finishes in its worker and is dropped); 500 a worker failure:
WorkerDied when the worker process proving the request died (zkwork.service.workers replaces
it; /ready is 503 until the replacement is warm). Every error is {"error": {"type",
"message"}}: no traceback reaches a client. A well-formed proof that does not verify is 200
{"valid": false}.

Back-pressure: at most workers + queue prove requests are admitted (running or waiting); a slot
is freed when the worker finishes, not when a client gives up, so a deadline never lets more
work in than the workers can hold.

Verification runs on one thread beside the event loop, decided by measurement (membership
hardened, 2 cores; `zkwork bench service` measures it again in every run: "verify_placement",
zkwork.service.overhead). A verify costs ~2 ms of CPU at depth 4 and ~2.4 ms at depth 20. With
the verifier holding the GIL throughout, two threads verified 0.87-1.0x one thread's rate, and
a 1 ms asyncio ticker lagged up to 5-6 ms with verifies run on the loop against 1.4-2.6 ms with
them on the thread (the interpreter switches the GIL between them), for a hand-off of 0.06-0.2
ms: one thread keeps the loop responsive at no throughput cost, and a verify is too short for
a process hand-off to pay (the processes are the provers'). The pairing kernels, ~70 % of a
verify, now release the GIL (nogil, zkwork.pairing): in a trial build the ticker's P95 lag on
the thread fell from 2.3 to 0.5 ms.
"""
import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from zkwork.errors import CircuitInputError, UnsatisfiedConstraintError, WorkerDiedError, ZkworkError
from zkwork.groth16.snarkjs_json import MAX_JSON_DEPTH, nesting_overflow_offset
from zkwork.r1cs.inputs import check_inputs, inputs_from_json
from zkwork.service.metrics import ServiceMetrics
from zkwork.service.workers import available_cores


class HttpError(Exception):
    """A request the service answers with `status` and a JSON error (never a traceback)."""

    def __init__(self, status, kind, message, headers=None):
        super().__init__(message)
        self.status, self.kind, self.headers = status, kind, headers


class Circuit:
    """A served circuit: its name (the pattern's Circom main name), its directory, its
    prepared verifying key and its input layout."""

    def __init__(self, name, directory, vk, input_layout):
        """`vk`: the circuit's VerifyingKey (its nPublic checks verify requests' shapes);
        `input_layout`: its inputs' (name, label, n) (prove requests are checked against it
        before they take a slot, so that a malformed one gets 422 even when the queue is full)."""
        from zkwork.groth16 import prepare_verifying_key

        self.name, self.directory, self.vk, self.input_layout = name, directory, vk, input_layout
        self.pvk = prepare_verifying_key(vk)


def _error(status, kind, message, headers=None):
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)


async def _read_json(request, limit):
    """The request's JSON object; HttpError 413 past `limit` bytes (checked while reading, so a
    lying or absent Content-Length cannot make the server buffer more), 400 if it is not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, "BodyTooLarge", f"the body is {declared} bytes, the limit is {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HttpError(413, "BodyTooLarge", f"the body exceeds the limit of {limit} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, "BadJson", f"the body is not UTF-8: {error}") from None
    # py_ecc (imported with the pairing) raises the recursion limit to 10^5, and json.loads then
    # recurses through deep nesting until the C stack overflows: a 90 KB "[[[..." killed the server
    if (offset := nesting_overflow_offset(text)) is not None:
        raise HttpError(400, "BadJson", f"arrays and objects nested deeper than {MAX_JSON_DEPTH} levels "
                        f"(character {offset})")
    try:
        value = json.loads(text)
    except ValueError as error:
        raise HttpError(400, "BadJson", f"the body is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise HttpError(400, "BadJson", "the body must be a JSON object")
    return value


class Service:
    """The routes' state: circuits, the prover pool, admission and metrics."""

    def __init__(self, circuits, pool, queue, deadline_s, max_body, retry_after_s=1):
        """`circuits` {name: Circuit}; `pool` a ProverPool; `queue` prove requests that may wait
        beyond the workers; `deadline_s` per prove request; `max_body` bytes."""
        self.circuits, self.pool = circuits, pool
        self.capacity = pool.workers + queue
        self.deadline_s, self.max_body, self.retry_after_s = deadline_s, max_body, retry_after_s
        self.admitted = 0  # prove requests running or waiting (the event loop is their only writer)
        self.metrics = ServiceMetrics()
        self.verifier = ThreadPoolExecutor(1, thread_name_prefix="verify")

    def circuit(self, request):
        """The Circuit the path names; HttpError 404 otherwise."""
        name = request.path_params["circuit"]
        if name not in self.circuits:
            raise HttpError(404, "UnknownCircuit", f"no circuit {name!r}; served: {', '.join(sorted(self.circuits))}")
        return self.circuits[name]

    def _set_queue_depth(self):
        self.metrics.queue_depth.set(max(0, self.admitted - self.pool.workers))

    def _release(self, _future):
        """Frees a slot when a worker is done with a request (called on the event loop)."""
        self.admitted -= 1
        self._set_queue_depth()

    async def prove(self, request):
        """POST /v1/prove/{circuit}."""
        circuit = self.circuit(request)
        input_json = await _read_json(request, self.max_body)
        start = time.perf_counter()
        try:  # tens of microseconds: the worker checks again, the queue never holds a malformed request
            check_inputs(inputs_from_json(input_json), circuit.input_layout)
        except CircuitInputError as error:
            self.metrics.proof(circuit.name, "error", (time.perf_counter() - start) * 1e3, "invalid_input")
            raise HttpError(422, type(error).__name__, str(error)) from None
        if self.admitted >= self.capacity:
            self.metrics.proof(circuit.name, "error", error_type="overloaded")
            raise HttpError(503, "Overloaded", f"{self.admitted} prove requests are running or queued",
                            {"Retry-After": str(self.retry_after_s)})
        loop = asyncio.get_running_loop()
        future = self.pool.prove(circuit.name, input_json)
        self.admitted += 1
        self._set_queue_depth()
        future.add_done_callback(lambda f: loop.call_soon_threadsafe(self._release, f))
        try:
            proof, public, timings = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)),
                                                            self.deadline_s)
        except asyncio.TimeoutError:
            future.cancel()  # a request still waiting never reaches a worker
            self.metrics.proof(circuit.name, "error", error_type="deadline")
            raise HttpError(504, "DeadlineExceeded", f"no proof within the deadline of {self.deadline_s} s") from None
        except (CircuitInputError, UnsatisfiedConstraintError) as error:
            kind = "invalid_input" if isinstance(error, CircuitInputError) else "unsatisfied"
            self.metrics.proof(circuit.name, "error", (time.perf_counter() - start) * 1e3, kind)
            raise HttpError(422, type(error).__name__, str(error)) from None
        except WorkerDiedError as error:
            self.metrics.proof(circuit.name, "error", (time.perf_counter() - start) * 1e3, "worker_died")
            raise HttpError(500, "WorkerDied", str(error)) from None
        except ZkworkError as error:
            self.metrics.proof(circuit.name, "error", (time.perf_counter() - start) * 1e3, "worker_failure")
            raise HttpError(500, "WorkerFailure", f"the proof failed: {type(error).__name__}") from None
        self.metrics.proof(circuit.name, "success", (time.perf_counter() - start) * 1e3)
        return JSONResponse({"proof": proof, "public": public, "timings": timings})

    async def verify(self, request):
        """POST /v1/verify/{circuit}."""
        from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json

        circuit = self.circuit(request)
        body = await _read_json(request, self.max_body)
        start = time.perf_counter()
        try:
            for field in ("proof", "public"):
                if field not in body:
                    raise HttpError(422, "MissingField", f"the body has no {field!r} field")
            proof, public = proof_from_json(body["proof"]), public_from_json(body["public"])
            if len(public) != circuit.vk.num_public:
                raise HttpError(422, "PublicSignals", f"'public' has {len(public)} signals, the circuit "
                                f"{circuit.name} has {circuit.vk.num_public}")
        except HttpError:
            self.metrics.verification(circuit.name, "error", (time.perf_counter() - start) * 1e3, "malformed")
            raise
        except (ZkworkError, TypeError, ValueError) as error:  # the readers' typed errors name the field
            self.metrics.verification(circuit.name, "error", (time.perf_counter() - start) * 1e3, "malformed")
            raise HttpError(422, type(error).__name__, str(error)) from None
        from zkwork.groth16 import verify

        valid = await asyncio.get_running_loop().run_in_executor(self.verifier, verify, circuit.pvk, public, proof)
        self.metrics.verification(circuit.name, "valid" if valid else "invalid", (time.perf_counter() - start) * 1e3,
                                  None if valid else "invalid_proof")
        return JSONResponse({"valid": bool(valid)})

    async def health(self, request):
        """GET /health: the process answers."""
        return JSONResponse({"status": "ok"})

    async def ready(self, request):
        """GET /ready: 200 while every worker is warm, 503 before and while a replaced one warms up."""
        ready = self.pool.warm
        return JSONResponse({"ready": ready, "workers": self.pool.workers, "warm_workers": self.pool.warm_workers,
                             "circuits": sorted(self.circuits)}, status_code=200 if ready else 503)

    async def metrics_text(self, request):
        """GET /metrics (the system gauges are read now: a few /proc files, well under a millisecond)."""
        pool = self.pool
        self.metrics.observe_system(pool.pids, available_cores(), pool.warm_workers, pool.restarts)
        return PlainTextResponse(self.metrics.text(), media_type="text/plain; version=0.0.4")


def create_app(service):
    """The Starlette app over a Service. Its lifespan, at shutdown, after uvicorn has finished
    the in-flight requests, stops the pool and the verify thread and logs the requests received
    and answered ("zkwork serve stopped; requests: {endpoint: {"received": n, status: n}}");
    the workers warm up in the background from the start: /health answers at once, /ready
    when they are warm."""
    def guarded(handler):
        async def endpoint(request):
            endpoint_name = request.url.path.split("/")[2] if request.url.path.startswith("/v1/") else "other"
            service.metrics.requests.labels(endpoint_name).inc()
            service.metrics.in_flight.labels(endpoint_name).inc()
            try:
                response = await handler(request)
            except HttpError as error:
                response = _error(error.status, error.kind, str(error), error.headers)
            except Exception as error:  # noqa: BLE001 -- the last line before a traceback would reach the client
                response = _error(500, "InternalError", type(error).__name__)
            finally:
                service.metrics.in_flight.labels(endpoint_name).dec()
            service.metrics.responses.labels(endpoint_name, str(response.status_code)).inc()
            return response
        endpoint.__doc__ = handler.__doc__
        return endpoint

    @asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            service.pool.shutdown()
            service.verifier.shutdown(wait=True)
            # what was received and answered, in one line: a drain is accounted for after /metrics is gone
            logging.getLogger("uvicorn.error").info("zkwork serve stopped; requests: %s",
                                                    json.dumps(service.metrics.request_totals(), sort_keys=True))

    routes = [
        Route("/v1/prove/{circuit}", guarded(service.prove), methods=["POST"]),
        Route("/v1/verify/{circuit}", guarded(service.verify), methods=["POST"]),
        Route("/health", guarded(service.health)),
        Route("/ready", guarded(service.ready)),
        Route("/metrics", guarded(service.metrics_text)),
    ]
    async def no_route(request, error):  # Starlette's own 404 (no such path) and 405 (wrong method)
        return _error(error.status_code, error.detail.title().replace(" ", ""),
                      f"{request.method} {request.url.path}: {error.detail}", error.headers)

    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: no_route})
