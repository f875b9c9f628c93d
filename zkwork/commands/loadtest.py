"""`zkwork loadtest URL --circuit NAME --endpoint prove|verify ...`: an open-loop load test of
`zkwork serve` (zkwork.service.loadgen) on a loopback address.

Requests start on a Poisson schedule at the offered rate whatever the responses do; latency
runs from each request's scheduled start. Prove requests send the --input object (a circuit
directory's input.json); verify requests send one proof, made by the service from that input
before the clock starts.

Exit status: 0 when the test ran, whatever the statuses (it measures, it does not judge: a 503
under overload is a result); 64 for a usage error, a non-loopback URL among them (a target
zkwork refuses is a command line it cannot act on); 2 when the input cannot be read or the
proof for a verify test cannot be made.
"""
from zkwork.commands.common import Exit, add_output_options, emit

EPILOG = "exit status: 0 the test ran (whatever the statuses), 2 unreadable input or no proof to verify, " \
         "64 usage error (a non-loopback URL included)"


def arguments(parser):
    """The options of `zkwork loadtest`."""
    parser.epilog = EPILOG
    parser.add_argument("url", help="the service's base URL, loopback only (e.g. http://127.0.0.1:8000)")
    parser.add_argument("--circuit", required=True, metavar="NAME",
                        help="the served circuit's name (e.g. membership_hardened_d4)")
    parser.add_argument("--input", required=True, metavar="PATH",
                        help="the prove body: an input.json, or a circuit directory holding one")
    parser.add_argument("--endpoint", choices=["prove", "verify"], default="prove",
                        help="prove (POST /v1/prove/NAME) or verify (POST /v1/verify/NAME) (default prove)")
    parser.add_argument("--rate", type=float, help="offered requests per second (constant profile)")
    parser.add_argument("--duration", type=float,
                        help="seconds: the length of a constant or ramp profile; for a step profile, a cap")
    parser.add_argument("--profile", metavar="SPEC",
                        help="step:R1@S1,R2@S2,... (R req/s for S s each) or ramp:R0-R1 (over --duration); "
                             "default constant --rate")
    parser.add_argument("--max-requests", type=int, metavar="N", help="stop scheduling after N requests")
    parser.add_argument("--seed", type=int, default=0, help="the schedule's random seed (default 0)")
    parser.add_argument("--concurrency", type=int, default=256,
                        help="requests in flight at most; one beyond is recorded as dropped (default 256)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a request may take before it is recorded as a timeout (default 60)")
    add_output_options(parser)


def profile_of(args):
    """The load profile (zkwork.service.loadgen segments) of the command line; UsageError if
    the options do not make one."""
    from zkwork.errors import UsageError
    from zkwork.service import loadgen

    spec = args.profile or ""
    kind, _, body = spec.partition(":")
    try:
        if not spec:
            if args.rate is None or args.duration is None:
                raise UsageError("a constant profile needs --rate and --duration")
            profile = loadgen.constant(args.rate, args.duration)
        elif kind == "step":
            pairs = []
            for item in body.split(","):
                rate, at, duration = item.partition("@")
                if not at:
                    raise UsageError(f"a step is RATE@SECONDS, got {item!r}")
                pairs.append((float(rate), float(duration)))
            profile = loadgen.steps(pairs)
        elif kind == "ramp":
            start, dash, end = body.partition("-")
            if not dash or args.duration is None:
                raise UsageError("a ramp is ramp:R0-R1 with --duration")
            profile = loadgen.ramp(float(start), float(end), args.duration)
        else:
            raise UsageError(f"--profile is step:R@S,... or ramp:R0-R1, got {spec!r}")
        if args.duration is not None:
            profile = loadgen.truncate(profile, args.duration)
        loadgen.check_profile(profile)
    except ValueError as error:  # float() of a malformed number, or a ProfileError
        raise UsageError(f"--profile/--rate/--duration: {error}") from None
    return profile


def _proof_body(url, circuit, input_json, timeout):
    """{"proof", "public"} for the verify test: one prove request before the clock starts."""
    import httpx

    from zkwork.errors import LoadTestError

    try:
        response = httpx.post(f"{url}/v1/prove/{circuit}", json=input_json, timeout=timeout)
    except httpx.HTTPError as error:
        raise LoadTestError(f"the proof to verify could not be made: {type(error).__name__}: {error}") from None
    if response.status_code != 200:
        raise LoadTestError(f"the proof to verify could not be made: HTTP {response.status_code} {response.text[:200]}")
    body = response.json()
    return {"proof": body["proof"], "public": body["public"]}


def run(args):
    """Runs the load test and prints (or writes) its result."""
    import json
    from pathlib import Path

    from zkwork.errors import JsonFormatError, NonLoopbackError, UsageError
    from zkwork.resources import require_extra

    require_extra("service")
    from zkwork.service import loadgen

    url = args.url.rstrip("/")
    try:
        loadgen.check_loopback(url)
    except NonLoopbackError as error:
        raise UsageError(str(error)) from None
    if args.concurrency < 1 or args.timeout <= 0 or (args.max_requests is not None and args.max_requests < 1):
        raise UsageError("--concurrency >= 1, --timeout > 0 and --max-requests >= 1 are required")
    if args.duration is not None and not args.duration > 0:
        raise UsageError("--duration must be > 0")
    profile = profile_of(args)
    source = Path(args.input)
    source = source / "input.json" if source.is_dir() else source
    try:
        input_json = json.loads(source.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise JsonFormatError(f"{source} is not JSON: {error}") from None
    body = input_json if args.endpoint == "prove" else _proof_body(url, args.circuit, input_json, args.timeout)
    schedule = loadgen.poisson_schedule(profile, args.seed, args.max_requests)
    if args.max_requests is not None and len(schedule) == args.max_requests:
        # the run ends at its last request: rates over the profile's full length would understate it
        profile = loadgen.truncate(profile, schedule[-1][0])
    path = f"/v1/{args.endpoint}/{args.circuit}"
    records, _, cpu_s = loadgen.measured_load(url, path, [body], schedule, args.concurrency, args.timeout)
    settings = {"url": url, "path": path, "endpoint": args.endpoint, "circuit": args.circuit, "seed": args.seed,
                "profile": args.profile or f"constant:{args.rate}", "max_requests": args.max_requests,
                "concurrency": args.concurrency, "timeout_s": args.timeout}
    result = loadgen.summarize(records, profile, settings=settings, generator_cpu_s=cpu_s)
    emit(args, result, loadgen.summary_text(result))
    return Exit.OK
