"""`zkwork verify vk.json public.json proof.json` (= `zkwork groth16 verify`, snarkjs's verb and
argument order): exit 0 valid, 1 invalid, 2 malformed files or an unsafe key."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork verify`."""
    parser.add_argument("verification_key", help="verification_key.json (snarkjs's shape)")
    parser.add_argument("public", help="public.json: the public signals, outputs first")
    parser.add_argument("proof", help="proof.json")
    add_output_options(parser)


def run(args):
    """Verifies a Groth16 proof against a verifying key and public signals."""
    from zkwork.errors import JsonFormatError
    from zkwork.groth16 import verify
    from zkwork.groth16.key_checks import check_verifying_key
    from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json, read_json_as, vk_from_json

    vk = read_json_as(args.verification_key, vk_from_json)
    check_verifying_key(vk, args.verification_key)  # the operator's key: an unsafe one is an error (exit 2)
    public = read_json_as(args.public, public_from_json)
    if len(public) != vk.num_public:  # a statement of another shape is malformed, not a false claim
        raise JsonFormatError(f"{args.public}: {len(public)} public signals, the verification key's nPublic "
                              f"is {vk.num_public}")
    proof = read_json_as(args.proof, proof_from_json)
    valid = verify(vk, public, proof)
    emit(args, {"valid": valid}, "OK: the proof is valid" if valid else
         "INVALID: the proof does not verify for these public signals")
    return Exit.OK if valid else Exit.REJECTED
