"""`zkwork info`: versions, CPU, numba's threading layer and the JIT cache."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork info`."""
    add_output_options(parser)


def run(args):
    """Describes the machine and zkwork's kernels."""
    from zkwork.bench.machine import describe, jit_cache_state

    machine, cache = describe(), jit_cache_state()
    state = "warm" if cache["warm"] else "cold (the first use of a kernel compiles it)"
    lines = [
        f"zkwork {machine['versions']['zkwork']}  (git {machine['git_commit'] or 'unknown'})",
        f"CPU:        {machine['cpu_model']}  ({machine['cpu_count']} logical cores)",
        f"platform:   {machine['platform']}",
        "versions:   " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if k != "zkwork"),
        f"numba threading layer: {machine['numba_threading_layer']}",
        f"JIT cache:  {state}; {cache['cached_kernels']} cached kernels in {cache['location']}",
    ]
    if cache["modules_not_cached"]:
        lines.append("            not yet compiled: " + ", ".join(cache["modules_not_cached"]))
    emit(args, {**machine, "jit_cache": cache}, "\n".join(lines))
    return Exit.OK
