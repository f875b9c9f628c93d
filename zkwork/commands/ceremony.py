"""`zkwork ceremony init|contribute|beacon|phase2|verify|export-ptau|verify-ptau`: a trusted-setup
ceremony in a directory passed from contributor to contributor (`zkwork powersoftau verify` is
verify-ptau under snarkjs's verb). A circuit's phase 2 is snarkjs's MPC on its .zkey: its
contributions and beacon are those of `zkwork zkey contribute|beacon` (zkwork.ceremony.zkey_mpc)."""
from zkwork.commands.common import (Exit, add_beacon_limit_options, add_output_options, add_pattern_options, beacon_limits,
                                    emit, pattern_of)
from zkwork.errors import UsageError


def _record_json(record):
    return {"kind": record.kind, "index": record.index, "contributor": record.contributor, "seconds": record.seconds,
            "previous_digest": record.previous_digest, "new_digest": record.new_digest}


def _emit_phase2_record(args, circuit, position, record, seconds, *notes):
    from zkwork.ceremony.zkey_mpc import contribution_hash
    from zkwork.formats.zkey_file import BEACON

    kind = "beacon" if record.kind == BEACON else "contribution"
    digest = contribution_hash(record).hex()
    emit(args, {"kind": kind, "index": position, "contributor": record.name, "seconds": seconds, "circuit": circuit,
                "contribution_hash": digest},
         "\n".join((f"phase 2 {circuit}: {kind} {position} by {record.name}: {seconds:.2f} s; "
                     f"contribution hash {digest}",) + notes))


def _emit_record(args, record, *notes):
    text = (f"{record.kind} {record.index} by {record.contributor}: {record.seconds:.2f} s; "
            f"digest {record.previous_digest[:16]}... -> {record.new_digest[:16]}...")
    emit(args, _record_json(record), "\n".join((text,) + notes))


def init_arguments(parser):
    """The options of `zkwork ceremony init`."""
    parser.add_argument("dir", help="the new ceremony's directory")
    parser.add_argument("--power", type=int, required=True, help="circuits of up to 2^POWER constraints")
    add_output_options(parser, out=False)


def init(args):
    """Starts phase 1 (powers of tau) in a new directory."""
    from zkwork.ceremony import files

    files.init(args.dir, args.power)
    emit(args, {"directory": str(args.dir), "power": args.power},
         f"{args.dir}: a ceremony for circuits of up to 2^{args.power} constraints; phase 1 is open")
    return Exit.OK


def contribute_arguments(parser):
    """The options of `zkwork ceremony contribute`."""
    parser.add_argument("dir", help="the ceremony's directory")
    parser.add_argument("--name", required=True, help="the contributor's name, recorded in the transcript")
    parser.add_argument("--circuit", help="contribute to this circuit's phase 2 (a directory under DIR/phase2)")
    parser.add_argument("-e", "--entropy", default="",
                        help="phase 2: text mixed into the randomness from `secrets`, as snarkjs's -e (optional)")
    add_output_options(parser, out=False)


def contribute(args):
    """Adds a contribution with fresh secrets that exist only inside this process."""
    import time

    from zkwork.ceremony import files

    note = "your secrets existed only inside this process and are gone"
    if args.circuit:
        started = time.perf_counter()
        position, record = files.phase2_contribute(args.dir, args.circuit, args.name, args.entropy)
        _emit_phase2_record(args, args.circuit, position, record, time.perf_counter() - started, note)
    else:
        _emit_record(args, files.contribute(args.dir, args.name), note)
    return Exit.OK


def beacon_arguments(parser):
    """The options of `zkwork ceremony beacon`."""
    parser.add_argument("dir", help="the ceremony's directory")
    parser.add_argument("--value", required=True,
                        help="the beacon as 1 to 255 bytes in hex (0x allowed), e.g. a future block hash")
    parser.add_argument("--exponent", type=int, default=10,
                        help="2^EXPONENT SHA-256 iterations (default 10; phase 2 takes 10 to 63, as snarkjs)")
    parser.add_argument("--circuit", help="seal this circuit's phase 2 instead of phase 1")
    add_beacon_limit_options(parser, budget=False)
    add_output_options(parser, out=False)


def beacon(args):
    """Seals phase 1, or a circuit's phase 2, with a public random value."""
    import time

    from zkwork.ceremony import files
    from zkwork.ceremony.snarkjs_ptau import BeaconError
    from zkwork.ceremony.zkey_mpc import beacon_bytes

    try:
        value = beacon_bytes(args.value)
    except BeaconError as error:
        raise UsageError(f"--value: {error}") from None
    if args.circuit:
        started = time.perf_counter()
        position, record = files.phase2_beacon(args.dir, args.circuit, value, args.exponent, **beacon_limits(args))
        _emit_phase2_record(args, args.circuit, position, record, time.perf_counter() - started)
    else:
        _emit_record(args, files.beacon(args.dir, value, args.exponent, **beacon_limits(args)))
    return Exit.OK


def phase2_arguments(parser):
    """The options of `zkwork ceremony phase2`."""
    parser.add_argument("dir", help="the ceremony's directory, phase 1 sealed")
    parser.add_argument("pattern", help="membership, structure, selective_reveal, version or locker")
    add_pattern_options(parser)
    add_output_options(parser, out=False)


def phase2(args):
    """Starts a circuit's phase 2: its initial .zkey from the sealed powers of tau."""
    from zkwork.ceremony import files

    circuit_dir = files.phase2_init(args.dir, pattern_of(args))
    emit(args, {"circuit": circuit_dir.name, "directory": str(circuit_dir)},
         f"{circuit_dir}: the initial key (circuit.zkey) from the sealed phase 1; contribute with "
         f"--circuit {circuit_dir.name}")
    return Exit.OK


def verify_arguments(parser):
    """The options of `zkwork ceremony verify`."""
    parser.add_argument("dir", help="the ceremony's directory")
    parser.add_argument("--open", action="store_true", help="accept phases not sealed by a beacon yet")
    parser.add_argument("--min-contributors", type=int, default=1, metavar="N",
                        help="distinct contributors each phase needs besides the beacon (default 1, at least 1; "
                             "the production guide asks for 10)")
    add_beacon_limit_options(parser)
    add_output_options(parser)


def verify(args):
    """Checks every contribution and every file a prover or verifier uses; exit 0 valid, 1 rejected."""
    from zkwork.ceremony import files

    result = files.verify_transcript(args.dir, require_sealed=not args.open, min_contributors=args.min_contributors,
                                     **beacon_limits(args))
    checks = result.records()
    verdict = "OK: every contribution verifies" if result.ok else "REJECTED: see the failed checks above"
    emit(args, {"ok": result.ok, "checks": checks}, f"{result}\n{verdict}")
    return Exit.OK if result.ok else Exit.REJECTED


def export_ptau_arguments(parser):
    """The options of `zkwork ceremony export-ptau`."""
    parser.add_argument("dir", help="the ceremony's directory")
    parser.add_argument("ptau", help="the .ptau file to write")


def export_ptau(args):
    """Writes phase 1, with every contribution, as a snarkjs .ptau."""
    from zkwork.ceremony import files

    files.export_ptau(args.dir, args.ptau)
    print(f"wrote {args.ptau}: phase 1 with every contribution in snarkjs's format "
          f"(`snarkjs powersoftau verify {args.ptau}` checks it)")
    return Exit.OK


def verify_ptau_arguments(parser):
    """The options of `zkwork ceremony verify-ptau` / `zkwork powersoftau verify`."""
    parser.add_argument("ptau", help="a snarkjs .ptau file")
    add_beacon_limit_options(parser)
    add_output_options(parser)


def verify_ptau(args):
    """Checks a snarkjs .ptau's contributions and powers; exit 0 valid, 1 rejected, 2 malformed."""
    from zkwork.ceremony import verify_ptau as verify_ptau_file

    report = verify_ptau_file(args.ptau, **beacon_limits(args))
    emit(args, {"ok": report.ok, "checks": report.records()}, str(report))
    return Exit.OK if report.ok else Exit.REJECTED
