"""snarkjs's `groth16 fullprove` with zkwork: the witness from circom's witness calculator
(.wasm, run in-process by zkwork.interop.wasm_witness), then a Groth16 proof with the
snarkjs proving key (zkwork.interop.zkey_prover), written as snarkjs's proof.json and
public.json. No .wtns file is written, as with snarkjs. Unlike snarkjs, which silently
reduces inputs mod r, inputs outside [0, r) are refused (CircuitInputError naming the input).
"""
from zkwork.interop.wasm_witness import read_inputs, witness_calculator
from zkwork.interop.zkey_prover import prove_and_write, read_zkey_for_proving


def fullprove(input_path, wasm_path, zkey_path, proof_path, public_path, backend="fast", refuse_unsafe=False,
              **bounds):
    """Prove the inputs in `input_path` (snarkjs's input.json) for the circuit of `wasm_path`
    and `zkey_path`; write proof.json and public.json; returns (proof, public signals).
    `bounds` go to WitnessCalculator (timeout, memory_limit, max_wasm_bytes); `refuse_unsafe`
    as in prove_zkey_files (InvalidKeyError for a zkey without a phase-2 contribution).
    CircuitInputError for an input outside [0, r) (snarkjs would reduce it mod r)."""
    inputs = read_inputs(input_path)
    # The key first: a malformed or unsafe zkey is refused before the circuit runs.
    zkey = read_zkey_for_proving(zkey_path, refuse_unsafe)
    limbs = witness_calculator(wasm_path, **bounds).calculate_limbs(inputs)
    return prove_and_write(zkey, limbs, proof_path, public_path, backend)
