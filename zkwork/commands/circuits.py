"""`zkwork circuits`: the constraint budgets of the five patterns, both variants."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork circuits`."""
    add_output_options(parser)


def run(args):
    """Prints each pattern's constraints, wires, public signals and costliest gadgets."""
    from zkwork.patterns import PATTERNS, circuit_summary, get_pattern

    rows = [circuit_summary(get_pattern(name, variant)) for name in PATTERNS for variant in ("reference", "hardened")]
    header = f"{'pattern':<18} {'variant':<10} {'parameters':<14} {'constraints':>11} {'wires':>7} {'public':>6}  top gadgets"
    lines = [header, "-" * len(header)]
    for row in rows:
        params = ",".join(f"{k}={v}" for k, v in row["params"].items()) or "-"
        gadgets = ", ".join(f"{g['namespace']} {g['share']:.0%}" for g in row["top_gadgets"][:3])
        lines.append(f"{row['pattern']:<18} {row['variant']:<10} {params:<14} {row['constraints']:>11,} "
                     f"{row['wires']:>7,} {row['public_signals']:>6}  {gadgets}")
    emit(args, rows, "\n".join(lines))
    return Exit.OK
