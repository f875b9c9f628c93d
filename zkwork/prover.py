"""A compiled circuit, what a proving server builds once and reuses: the R1CS, the proving
key and a witness program, so that a proof costs the witness kernel and the Groth16 prove,
never a run of the circuit DSL.

    prover = compile_prover(pattern, pk)        # records the circuit once (~0.1 - 0.5 s)
    proof, public = prover.prove(inputs)         # inputs: {signal name: int or list of ints}

`prove` is the end-to-end call; `witness` and `prove_witness` are its two halves, for
timing them apart; `prove_json` is what a server does with a request, input.json's object
in, snarkjs's proof.json and public.json objects out, timing its stages as it goes.

Bad inputs raise before any group work: CircuitInputError naming the input (missing,
extra, wrong length, not in [0, r)), UnsatisfiedConstraintError naming the first
constraint they violate (a wrong path, a non-boolean bit, a false statement).

Worker processes: a Prover is plain data (numpy arrays, the R1CS's dicts, the key's points)
and pickles; the kernels it runs are numba functions that each process loads from numba's
disk cache on first use. Sending it costs about its proving key's size (tens of MB at depth
20); building one in the worker (compile_prover on the worker's own copy of the key) costs
the recording instead (0.1 - 0.5 s). zkwork.bench.throughput and zkwork serve build one
per worker from the memory-mapped key.

Fixed-base precomputation (`precompute_mb`, off by default): tables of the proving key's
bases (zkwork.groth16.prover.precompute), built once when the Prover is made (membership d20:
35 MB in 0.7 - 1.8 s on 2 shared cores, as much as 10 - 30 proves save: off for one-shot CLI
proves, on for a server's workers), then used by every prove (about 0.78x the CPU time);
`tables_bytes` and `precompute_s` report the trade. The
tables pickle with the Prover (their size): workers are better off building their own.
"""
import time

from zkwork.errors import InvalidKeyError
from zkwork.groth16.prover import precompute, prove
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json
from zkwork.r1cs.inputs import inputs_from_json
from zkwork.r1cs.witness_program import WitnessProgram


class Prover:
    """A circuit's witness program and proving key: `prove(inputs)` -> (proof, public signals)."""

    def __init__(self, program, pk, backend="fast", label=None, check=False, precompute_mb=0):
        """`check`: verify each proof with the key's own verifying key before returning it
        (zkwork.groth16.prover.prove), for keys whose G2 points were not subgroup-checked;
        `precompute_mb`: the memory budget of fixed-base tables (0: none; fast backend only)."""
        r1cs = program.r1cs
        if pk.qap.num_wires != r1cs.num_wires or pk.qap.num_public != r1cs.num_public:
            raise InvalidKeyError(f"the proving key is for another circuit: {pk.qap.num_wires} wires and "
                                  f"{pk.qap.num_public} public signals, the circuit has {r1cs.num_wires} and "
                                  f"{r1cs.num_public}")
        self.program, self.pk, self.backend = program, pk, backend
        self.label, self.check = label, check
        start = time.perf_counter()
        self.tables = precompute(pk, precompute_mb) if precompute_mb else {}
        self.precompute_s = time.perf_counter() - start

    @property
    def tables_bytes(self):
        """Bytes held by the fixed-base tables (0 without precomputation)."""
        return sum(table.nbytes for table in self.tables.values())

    @property
    def r1cs(self):
        """The R1CS the proving key was made for."""
        return self.program.r1cs

    def witness(self, inputs):
        """The witness for `inputs`, as an Fr FieldVector (typed errors as in the module docstring)."""
        return self.program.run(inputs)

    def prove_witness(self, witness):
        """(proof, public signals as ints) for a witness of this circuit."""
        proof = prove(self.pk, witness, self.backend, check=self.check, tables=self.tables)
        return proof, witness[1:1 + self.r1cs.num_public].to_ints()

    def prove(self, inputs):
        """(proof, public signals as ints) for `inputs`: the witness, then the proof."""
        return self.prove_witness(self.witness(inputs))

    def prove_json(self, input_json, timings=None):
        """(proof.json, public.json) objects for input.json's object (numbers as ints or
        decimal / 0x-hex strings). `timings`, a dict if given, receives the wall and process
        CPU seconds of the two stages: witness_s, witness_cpu_s (reading the inputs and the
        witness program), prove_s, prove_cpu_s (the proof and its JSON)."""
        wall, cpu = time.perf_counter(), time.process_time()
        witness = self.witness(inputs_from_json(input_json))
        witnessed, witnessed_cpu = time.perf_counter(), time.process_time()
        proof, public = self.prove_witness(witness)
        result = proof_to_json(proof), public_to_json(public)
        if timings is not None:
            timings.update(witness_s=witnessed - wall, witness_cpu_s=witnessed_cpu - cpu,
                           prove_s=time.perf_counter() - witnessed, prove_cpu_s=time.process_time() - witnessed_cpu)
        return result

    def __repr__(self):
        return f"Prover({self.label or 'circuit'}, {self.r1cs.num_constraints} constraints)"


def compile_prover(pattern, pk, backend="fast", check=False, precompute_mb=0):
    """The Prover of a pattern (zkwork.patterns) with its proving key (and fixed-base tables
    within `precompute_mb` MB, see Prover)."""
    return Prover(WitnessProgram.record(pattern.circuit), pk, backend, pattern.label, check, precompute_mb)
