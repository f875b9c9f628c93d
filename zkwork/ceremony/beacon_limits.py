"""How much SHA-256 iteration a beacon may cost a verifier (and the one who creates it).

A beacon record names its delay as an exponent n: 2^n SHA-256 iterations, which anyone
checking the beacon recomputes. A transcript of a few kilobytes can claim n = 63 (snarkjs
takes 10 to 63), thousands of years of hashing; a verifier must refuse it up front rather
than run for ever. Two limits, both parameters (`BeaconLimits`, the command line's
`--max-beacon-exponent` and `--time-budget`):

  max_exponent   n above it is refused. Default 30: hashlib runs about 3.2 million
                 SHA-256 per second on one core of the machine zkwork is developed on
                 (measured with iterated_sha256: 2^20 in 0.33 s, 2^21 in 0.66 s), so 2^30
                 takes about 5.6 minutes, the longest a single beacon check should take by
                 default; snarkjs's examples and the published .ptau beacons use n = 10, and
                 a ceremony with a longer delay (Zcash's Sapling used 2^42) raises it.
  time_budget    seconds that all the beacons of one verification may spend, estimated
                 before each beacon from the rate measured on this machine (`sha256_rate`,
                 a few milliseconds), so a refusal is immediate rather than after spending
                 the budget. Default 1800 s: the beacons of phase 1 and of five circuits at
                 the default bound. The pairings and multi-scalar multiplications of a
                 verification are not counted: they grow with the size of the files
                 themselves, which the verifier holds.

A refused beacon is a failed check whose detail names the bound or the budget and the
option that raises it; the records are still read and every other check is made.
"""
import hashlib
import time
from functools import cache

from zkwork.ceremony.records import MAX_ITERATIONS_EXPONENT
from zkwork.errors import ZkworkError

DEFAULT_MAX_EXPONENT = 30  # see the module docstring
DEFAULT_TIME_BUDGET = 1800.0  # seconds; see the module docstring
_PROBE_EXPONENT = 16  # 65536 iterations, about 20 ms: enough for a stable rate


class LimitError(ZkworkError, ValueError):
    """A verification limit out of range (beacon bound, time budget, minimum of
    contributors), or a beacon to create above the bound."""


@cache
def sha256_rate() -> float:
    """SHA-256 iterations per second of hashlib on this machine, measured once per process."""
    h, started = bytes(32), time.perf_counter()
    for _ in range(1 << _PROBE_EXPONENT):
        h = hashlib.sha256(h).digest()
    return (1 << _PROBE_EXPONENT) / max(time.perf_counter() - started, 1e-9)


def _check_bound(max_exponent):
    if isinstance(max_exponent, bool) or not isinstance(max_exponent, int) or not (
            0 <= max_exponent <= MAX_ITERATIONS_EXPONENT):
        raise LimitError(f"the beacon exponent bound is an int in 0..{MAX_ITERATIONS_EXPONENT}, got {max_exponent!r}")
    return max_exponent


def check_exponent(exponent, max_exponent=DEFAULT_MAX_EXPONENT, purpose="to check this beacon"):
    """The refusal, as a sentence, of a beacon of 2^exponent iterations under the bound, or None."""
    if exponent > _check_bound(max_exponent):
        return (f"the beacon's 2^{exponent} SHA-256 iterations exceed the bound 2^{max_exponent} "
                f"(about {(1 << exponent) / sha256_rate():.3g} s here); raise it with --max-beacon-exponent "
                f"(max_beacon_exponent=, at most {MAX_ITERATIONS_EXPONENT}) {purpose}")
    return None


def require_exponent(exponent, max_exponent=DEFAULT_MAX_EXPONENT):
    """LimitError, before any iteration, for a beacon to create above the bound: verifiers
    with the same bound would refuse to check it."""
    refusal = check_exponent(exponent, max_exponent, "to create it (its verifiers will need the same)")
    if refusal:
        raise LimitError(refusal)


class BeaconLimits:
    """The bound on a beacon's exponent and the time budget of one verification's beacons."""

    def __init__(self, max_exponent=DEFAULT_MAX_EXPONENT, time_budget=DEFAULT_TIME_BUDGET):
        if isinstance(time_budget, bool) or not isinstance(time_budget, (int, float)) or not time_budget >= 0:
            raise LimitError(f"the time budget is a number of seconds >= 0, got {time_budget!r}")
        self.max_exponent, self.time_budget = _check_bound(max_exponent), float(time_budget)
        self.spent = 0.0  # estimated seconds of the beacons allowed so far

    def refusal(self, exponent):
        """Why a beacon of 2^exponent iterations may not be recomputed, or None, in which
        case its estimated time is counted against the budget."""
        bound = check_exponent(exponent, self.max_exponent)
        if bound:
            return bound
        estimate = (1 << exponent) / sha256_rate()
        if self.spent + estimate > self.time_budget:
            return (f"the beacon's 2^{exponent} SHA-256 iterations would take about {estimate:.3g} s at the "
                    f"{sha256_rate():.3g}/s measured here, beyond the time budget of {self.time_budget:g} s "
                    f"({self.spent:.3g} s already given to other beacons); raise it with --time-budget SECONDS "
                    f"(time_budget=) to check this beacon")
        self.spent += estimate
        return None

    def check(self, checker, name, exponent, evaluate, detail):
        """checker(name, evaluate, detail) if the beacon's exponent is within the limits,
        otherwise the check `name` fails with the refusal as its detail."""
        refusal = self.refusal(exponent) if isinstance(exponent, int) else None
        if refusal:
            return checker(name, lambda: False, refusal)
        return checker(name, evaluate, detail)
