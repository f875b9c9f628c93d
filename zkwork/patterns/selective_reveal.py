"""Selective reveal: "these fields of my address are true, the rest stay hidden".

Statement. The prover knows F field values and a nonce; for each field a mask bit says
whether it is revealed, and the public revealed values equal mask_i * value_i (0 where
hidden). The outputs commit to all values and to the revealed ones under the same nonce.

Signals, in the order of circuits/selective_reveal_<variant>.circom:
  reference   output  fullCommitment       Poseidon(fieldValues..., nonce)     (public 0)
              output  revealedCommitment   Poseidon(revealedValues..., nonce)  (public 1)
              public  revealedValues[F]                                        (public 2..F+1)
              private fieldValues[F], revealMask[F], nonce
  hardened    output  revealedCommitment                                       (public 0)
              public  revealMask[F]                                            (public 1..F)
              public  revealedValues[F]                                        (public F+1..2F)
              public  fullCommitment       the issued credential's commitment  (public 2F+1)
              private fieldValues[F], nonce

Constraints (both): each mask bit boolean (Num2Bits(1)); expected_i = mask_i * value_i;
IsEqual(revealed_i, expected_i) = 1; the two Poseidon commitments.

Reference weakness. The mask is private, so a verifier cannot tell a hidden field from a
revealed field whose value is 0; and the full commitment is only an output, never checked
against the issuer's, so the prover may "reveal" values of its own invention.

Hardened fix. The mask is public, and the full commitment is a public input that the
Poseidon of the field values and nonce must equal.
"""
from zkwork.gadgets.bits import num2bits
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.gadgets.poseidon import poseidon
from zkwork.patterns.base import (
    Pattern,
    PatternError,
    assert_is_equal,
    given_or_random,
    require,
)
from zkwork.patterns.encoding import encode_string

# The fields of an address credential, in their order in the circuit, with sample values.
SAMPLE_FIELDS = {
    "country": "JP",
    "province": "Tokyo",
    "city": "Shinjuku-ku",
    "postal_code": "160-0022",
    "street": "Shinjuku 3-38",
    "building": "B12",
    "room": "R342",
    "recipient": "Hanako Yamada",
}
POSEIDON_MAX_INPUTS = 16


class SelectiveReveal(Pattern):
    """The selective-reveal pattern: the masked values of F committed fields, under one nonce."""
    name = "selective_reveal"
    size_param = "fields"
    default_size = 8
    small_size = 4
    size_letter = "f"
    max_size = POSEIDON_MAX_INPUTS - 1  # the values and the nonce in one Poseidon

    def define(self, cs):
        """Declares the signals in the Circom twin's order and writes the constraints."""
        f = self.size
        if self.hardened:
            mask = cs.public_input("revealMask", f)
            revealed = cs.public_input("revealedValues", f)
            full_commitment = cs.public_input("fullCommitment")
            values = cs.private_input("fieldValues", f)
        else:
            revealed = cs.public_input("revealedValues", f)
            values = cs.private_input("fieldValues", f)
            mask = cs.private_input("revealMask", f)
        nonce = cs.private_input("nonce")

        for i in range(f):
            with cs.namespace("field", i):
                with cs.namespace("mask_bit"):
                    num2bits(cs, mask[i], 1)
                expected = cs.mul(mask[i], values[i], "expected")
                assert_is_equal(cs, revealed[i], expected, "revealed_matches")
        with cs.namespace("full_commitment"):
            full = poseidon(cs, [*values, nonce])
        with cs.namespace("revealed_commitment"):
            revealed_commitment = poseidon(cs, [*revealed, nonce])
        if self.hardened:
            cs.assert_equal(full, full_commitment, "full_commitment_matches")
        else:
            cs.public_output("fullCommitment", full)
        cs.public_output("revealedCommitment", revealed_commitment)

    def sample_inputs(self, fields=None, reveal=("country", "city"), nonce=None):
        """Inputs revealing the fields named in `reveal` of `fields` (a dict name -> text,
        default the first F of SAMPLE_FIELDS); the nonce is the credential's."""
        if fields is None:
            if self.size > len(SAMPLE_FIELDS):
                raise PatternError(f"the sample has {len(SAMPLE_FIELDS)} fields; give {self.size} fields")
            fields = dict(list(SAMPLE_FIELDS.items())[: self.size])
        if len(fields) != self.size:
            raise PatternError(f"{self.label} takes {self.size} fields, got {len(fields)}")
        unknown = set(reveal) - set(fields)
        if unknown:
            raise PatternError(f"cannot reveal fields the credential lacks: {sorted(unknown)}")
        values = [encode_string(text) for text in fields.values()]
        mask = [int(name in reveal) for name in fields]
        inputs = {
            "revealedValues": [m * v for m, v in zip(mask, values)],
            "fieldValues": values,
            "revealMask": mask,
            "nonce": given_or_random(nonce),
        }
        if self.hardened:
            inputs["fullCommitment"] = native_poseidon([*values, inputs["nonce"]])
        return inputs

    def expected_public(self, inputs):
        """The public signals, outputs first, computed natively; StatementError when false."""
        values, mask, revealed = inputs["fieldValues"], inputs["revealMask"], inputs["revealedValues"]
        require(all(m in (0, 1) for m in mask), "a mask entry is not a bit")
        require(revealed == [m * v for m, v in zip(mask, values)],
                "the revealed values are not the masked field values")
        full = native_poseidon([*values, inputs["nonce"]])
        revealed_commitment = native_poseidon([*revealed, inputs["nonce"]])
        if not self.hardened:
            return [full, revealed_commitment, *revealed]
        require(full == inputs["fullCommitment"], "the field values are not those of the credential")
        return [revealed_commitment, *mask, *revealed, full]
