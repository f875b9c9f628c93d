"""`zkwork serve DIR [DIR ...]`: the proving and verification service over HTTP (zkwork.service).

Each DIR is a circuit directory of `zkwork setup` or a ceremony's phase 2; it is served as
/v1/prove/NAME and /v1/verify/NAME, NAME being the pattern's Circom main name (e.g.
membership_hardened_d4, the circuit_type label of the metrics). SIGTERM or Ctrl-C: uvicorn stops
accepting, finishes the requests in flight, then the worker pool stops; exit 0. A worker
process that dies is replaced (its request gets 500 WorkerDied; zkwork.service.workers).
"""
from zkwork.commands.common import Exit


def arguments(parser):
    """The options of `zkwork serve`."""
    from zkwork.service.workers import available_cores

    parser.add_argument("dirs", nargs="+", metavar="DIR", help="circuit directories to serve")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--workers", type=int, default=available_cores(),
                        help="proving processes (default: the cores; each gets cores // workers numba threads)")
    parser.add_argument("--queue", type=int, default=100,
                        help="prove requests that may wait for a worker; beyond it 503 (default 100)")
    parser.add_argument("--deadline", type=float, default=30.0,
                        help="seconds a prove request may take, waiting included; beyond it 504 (default 30)")
    parser.add_argument("--max-body", type=int, default=1 << 20, help="request body limit in bytes (default 1 MiB)")
    parser.add_argument("--precompute-mb", type=int, default=None, metavar="MB",
                        help="fixed-base tables per worker and circuit (default 64: membership depth 20 takes 35 MB; "
                             "0: none)")


def run(args):
    """Loads the circuits (keys checked), starts the workers and serves until SIGTERM."""
    import signal

    from zkwork.errors import UsageError
    from zkwork.resources import require_extra

    require_extra("service")
    import uvicorn

    from zkwork.groth16.key_checks import check_proving_key
    from zkwork.r1cs.system import input_layout
    from zkwork.service.app import Circuit, Service, create_app
    from zkwork.service.workers import ProverPool
    from zkwork.workspace import read_circuit_dir

    if args.workers < 1 or args.queue < 0 or args.deadline <= 0 or args.max_body < 1 or (args.precompute_mb or 0) < 0:
        raise UsageError("--workers >= 1, --queue >= 0, --deadline > 0, --max-body >= 1 and --precompute-mb >= 0 "
                         "are required")
    circuits = {}
    for directory in args.dirs:
        pattern, pk = read_circuit_dir(directory)
        check_proving_key(pk, directory)  # an unsafe key is refused here, not found by a client
        if pattern.main_name in circuits:
            raise UsageError(f"{directory} and {circuits[pattern.main_name].directory} are both {pattern.main_name}")
        circuits[pattern.main_name] = Circuit(pattern.main_name, directory, pk.vk, input_layout(pattern.circuit))
    pool = ProverPool({name: c.directory for name, c in circuits.items()}, args.workers,
                      **({} if args.precompute_mb is None else {"precompute_mb": args.precompute_mb}))
    service = Service(circuits, pool, args.queue, args.deadline, args.max_body)
    # uvicorn drains on SIGTERM/SIGINT, then restores the handlers it found and re-raises the
    # signal, which with the default handlers would end the process by the signal after a clean
    # shutdown: handlers that do nothing make that a normal return, exit 0.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    uvicorn.run(create_app(service), host=args.host, port=args.port, access_log=False, log_level="info")
    return Exit.OK
