"""Typed errors. Each names what is wrong: the value, the point, the buffer."""


class ZkworkError(Exception):
    """Base class of every error zkwork raises on purpose."""


class EncodingError(ZkworkError, ValueError):
    """A byte string or integer does not encode what it claims to (wrong length, flags)."""


class NonCanonicalEncodingError(EncodingError):
    """An encoded field element is not reduced (x >= modulus)."""


class PointNotOnCurveError(ZkworkError, ValueError):
    """Coordinates that do not satisfy the curve equation."""


class PointNotInSubgroupError(ZkworkError, ValueError):
    """A curve point outside the prime-order subgroup."""


class NotASquareError(ZkworkError, ValueError):
    """sqrt of a quadratic non-residue."""


class FieldMismatchError(ZkworkError, TypeError):
    """An element or vector of another field than the operation works in (Fq where Fr is
    expected), or an object of a type that holds no field element at all."""


class WrongTypeError(ZkworkError, TypeError):
    """An argument of a type the function does not take (a point where a coordinate pair is
    expected, a boolean where a circuit input is)."""


class DegenerateSecretError(ZkworkError, ValueError):
    """A setup secret that would make the keys degenerate (tau in the evaluation domain)."""


class IndexOutOfRangeError(ZkworkError, IndexError):
    """An index outside the object it addresses (a leaf beyond a Merkle tree's width)."""


class InvariantError(ZkworkError, AssertionError):
    """Something that the code's own reasoning says cannot happen did: a bug in zkwork, or
    a result that its own check refutes (a proof zkwork made that does not verify)."""


class UnknownNameError(ZkworkError, KeyError):
    """A name that is not among the ones a registry knows (a fuzz target, a study); the
    message lists the known ones."""

    def __str__(self):  # KeyError's own str() would quote the message
        return str(self.args[0]) if self.args else ""


class NotInvertibleError(ZkworkError, ZeroDivisionError):
    """The inverse of zero (a field element, a vector entry, a coset generator)."""


class UsageError(ZkworkError):
    """A command line zkwork cannot act on: a missing or contradictory option, a KEY=VALUE
    pair without '=' (exit status 64, as sysexits' EX_USAGE)."""


class BackendError(ZkworkError, LookupError):
    """An unknown arithmetic backend name."""


class ShapeMismatchError(ZkworkError, ValueError):
    """Arrays of the wrong shape or dtype, or of lengths that must agree and do not."""


class ScalarOutOfRangeError(ZkworkError, ValueError):
    """A scalar given as limbs that is not below the group order r."""


class DomainSizeError(ZkworkError, ValueError):
    """An evaluation domain size that is not a power of two, exceeds the field's 2-adicity,
    or is too small for the polynomial given to it."""


class CircuitInputError(ZkworkError, ValueError):
    """A circuit input that is missing, of the wrong length, or not a field element < r."""


class CircuitError(ZkworkError, ValueError):
    """A circuit description that cannot be built (e.g. a constant constraint that fails)."""


class UnsatisfiedConstraintError(ZkworkError, ValueError):
    """A witness that violates a constraint; the message names the constraint's label."""


class PoseidonArityError(ZkworkError, ValueError):
    """A Poseidon hash of a number of inputs its parameters do not cover (circomlib: 1 to 16)."""


class PoseidonInputRangeError(ZkworkError, ValueError):
    """A Poseidon input that is not an element of Fr: an integer outside [0, r)."""


class ParameterFileError(ZkworkError, ValueError):
    """A parameters data file for another field or construction than the code expects."""


class JsonFormatError(ZkworkError, ValueError):
    """A snarkjs JSON file (key, proof, public signals) that is malformed; names the field."""


class KeyFormatError(ZkworkError, ValueError):
    """A proving-key directory that is incomplete or inconsistent; names the file."""


class FormatError(ZkworkError, ValueError):
    """A binary circom/snarkjs file (.r1cs, .wtns, .zkey) that is malformed. The message names
    the file and the section; `section` holds the section's name (None for the file header)."""

    def __init__(self, message, section=None):
        super().__init__(message)
        self.section = section


class WrongMagicError(FormatError):
    """A file that does not start with the four magic bytes of the expected kind."""


class UnsupportedVersionError(FormatError):
    """A file format version newer than the reader knows."""


class UnsupportedProtocolError(FormatError):
    """A zkey for another proving system than Groth16 (PLONK, FFLONK)."""


class MissingSectionError(FormatError):
    """A required section that the file does not contain."""


class DuplicateSectionError(FormatError):
    """A section that must appear once and appears more than once."""


class SectionSizeError(FormatError):
    """A section whose declared size disagrees with the content its header describes."""


class CountTooLargeError(FormatError):
    """A count (wires, constraints, points) that claims more data than the section holds;
    raised before anything of that size is allocated."""


class WrongFieldError(FormatError):
    """A file over another field or curve than BN254 (element size or prime)."""


class TruncatedFileError(FormatError):
    """A file that ends inside its header or inside a section."""


class InvalidValueError(FormatError):
    """A value that its section does not allow: a field element >= its modulus, a wire or
    constraint index out of range, a point off the curve."""


class UnreadableFileError(ZkworkError, ValueError):
    """A file that cannot be read as input: missing, not a regular file (a device, FIFO or
    directory), or larger than what its kind may hold."""


class UnreadableBinaryFileError(FormatError, UnreadableFileError):
    """A .r1cs, .wtns, .zkey or .ptau path that cannot be read: missing, or not a regular
    file (a device such as /dev/zero, a FIFO, a directory)."""


class ResourceNotFoundError(ZkworkError, FileNotFoundError):
    """A project directory (tools/, circuits/, notebooks/, node_modules/) that is not where
    zkwork looked; the message names where it looked and how to point zkwork at it."""


class MissingExtraError(ZkworkError, ImportError):
    """An optional dependency that is not installed; the message names the extra to install."""


class InvalidKeyError(KeyFormatError):
    """A Groth16 key whose points are invalid (off the curve, outside G2, at infinity where the
    protocol needs a non-trivial point) or unsafe (gamma_2 == delta_2: anyone can forge);
    `field` names the key's field (vk_delta_2, b2_query, ...); the message also names the point."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class WitnessCalculationError(ZkworkError, ValueError):
    """A circom witness calculator (.wasm) that cannot run or fails: not a circom 2 module
    over BN254's Fr, a trap, or an exception of its runtime; `code` holds the runtime's
    exception code (1-7, see zkwork.interop.wasm_witness), None for the other failures."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class CircuitAssertionError(WitnessCalculationError):
    """Inputs that fail a circuit's `assert` (or a `===` its witness calculator checks);
    the message carries the circuit's own (template and line); `messages` lists them."""

    def __init__(self, message, code=4, messages=()):
        super().__init__(message, code)
        self.messages = list(messages)


class WitnessLimitError(WitnessCalculationError):
    """A witness calculation stopped at one of its bounds: time or memory."""


class WorkerDiedError(ZkworkError, RuntimeError):
    """A worker process that ended while it held a request (killed, out of memory, crashed);
    the request fails, the worker is replaced."""


class LoadTestError(ZkworkError, ValueError):
    """A load test that zkwork refuses to run as asked (zkwork.service.loadgen)."""


class NonLoopbackError(LoadTestError):
    """A load-test target that is not a loopback address: `zkwork loadtest` only loads one's
    own service on 127.0.0.0/8, ::1 or localhost."""


class ProfileError(LoadTestError):
    """A load profile with a negative or non-finite rate, or a duration that is not > 0."""


class PrometheusError(ZkworkError, RuntimeError):
    """A Prometheus server that zkwork runs for a load test (zkwork.service.prometheus) and
    that cannot do what was asked of it."""


class PrometheusMissingError(PrometheusError, FileNotFoundError):
    """No `prometheus` executable on PATH; the message says how to install Debian's package
    (`make install` as root, tools/install-prometheus.sh, apt-get install prometheus)."""


class PrometheusStartError(PrometheusError):
    """A Prometheus server that exited or was not ready within its bound; the message ends
    with the tail of its log."""


class PrometheusQueryError(PrometheusError, ValueError):
    """A query or API call that the Prometheus server rejected or could not answer; the
    message names the expression and the server's error."""


class PrometheusTimeoutError(PrometheusError, TimeoutError):
    """A wait on a Prometheus server (a scrape, a rule evaluation) that passed its bound."""


class ServiceStartError(ZkworkError, RuntimeError):
    """`zkwork serve` started as a child process (zkwork.service.serve_process) that exited,
    named no port, or had no warm workers within its bound; the message ends with its log."""


class DaemonProtocolError(ZkworkError, OSError):
    """A daemon message that is truncated, too long or not a JSON object: the other side is not
    a zkwork daemon (or client), or it died mid-message."""


class NoDaemonError(ZkworkError, ConnectionError):
    """No daemon accepted the connection (no socket file, nobody listening, or no answer in time)."""
