"""Version: "the old and the new address belong to the same owner".

Statement. The prover knows an old and a new PID opening the two public PID commitments,
and a user secret; the outputs are an ownership tag Poseidon(secret, old, new) and a
migration commitment Poseidon(old, new, tag, nonce).

Signals, in the order of circuits/version_<variant>.circom:
  reference   output  ownershipTag, migrationCommitment        (public 0, 1)
              public  oldPIDCommitment = Poseidon(oldPID)       (public 2)
              public  newPIDCommitment = Poseidon(newPID)       (public 3)
              private oldPID, newPID, userSecret, migrationNonce
  hardened    output  ownershipTag, migrationCommitment         (public 0, 1)
              output  nullifier = Poseidon(userSecret, oldPIDCommitment)  (public 2)
              public  oldPIDCommitment = Poseidon(oldPID, oldSalt)        (public 3)
              public  newPIDCommitment = Poseidon(newPID, newSalt)        (public 4)
              public  identityCommitment = Poseidon(userSecret)           (public 5)
              private oldPID, newPID, oldSalt, newSalt, userSecret, migrationNonce

Constraints: IsEqual(Poseidon(old...), oldPIDCommitment) = 1 and likewise for the new
PID; the outputs (hardened: also Poseidon(secret) = identityCommitment, the nullifier).

Reference weakness. The secret is tied to nothing: anyone who knows both PIDs proves
"ownership" with a secret of their choosing, and the unsalted PID commitments can be
opened by guessing PIDs.

Hardened fix. A public identity commitment Poseidon(secret), registered with the old
credential, pins the secret; the PID commitments are salted; the public nullifier
Poseidon(secret, oldPIDCommitment) lets the verifier accept one migration per old address.
"""
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.gadgets.poseidon import poseidon
from zkwork.patterns.base import (
    Pattern,
    assert_is_equal,
    given_or_random,
    require,
    with_salt,
)
from zkwork.patterns.encoding import encode_pid

SAMPLE_OLD_PID = "JP-13-113-01-T07-B12-BN02-R342"
SAMPLE_NEW_PID = "JP-13-104-03-T02-B05-BN01-R101"


class Version(Pattern):
    """The version pattern: the old and the new PID commitment open to PIDs of one owner."""
    name = "version"

    def pid_commitment(self, pid, salt=None):
        """A PID commitment, natively: Poseidon(pid) or Poseidon(pid, salt)."""
        return native_poseidon(with_salt([pid], salt))

    def define(self, cs):
        """Declares the signals in the Circom twin's order and writes the constraints."""
        commitments = [cs.public_input("oldPIDCommitment"), cs.public_input("newPIDCommitment")]
        identity = cs.public_input("identityCommitment") if self.hardened else None
        old_pid, new_pid = cs.private_input("oldPID"), cs.private_input("newPID")
        salts = [cs.private_input("oldSalt"), cs.private_input("newSalt")] if self.hardened else [None, None]
        secret = cs.private_input("userSecret")
        nonce = cs.private_input("migrationNonce")

        for which, pid, salt, commitment in zip(("old", "new"), (old_pid, new_pid), salts, commitments):
            with cs.namespace(f"{which}_pid"):
                opened = poseidon(cs, with_salt([pid], salt))
            assert_is_equal(cs, opened, commitment, f"{which}_pid_matches")
        if self.hardened:
            with cs.namespace("identity"):
                cs.assert_equal(poseidon(cs, [secret]), identity, "matches")
            with cs.namespace("nullifier"):
                nullifier = poseidon(cs, [secret, commitments[0]])
        with cs.namespace("ownership_tag"):
            tag = cs.public_output("ownershipTag", poseidon(cs, [secret, old_pid, new_pid]))
        with cs.namespace("migration_commitment"):
            cs.public_output("migrationCommitment", poseidon(cs, [old_pid, new_pid, tag, nonce]))
        if self.hardened:
            cs.public_output("nullifier", nullifier)

    def sample_inputs(self, old_pid=SAMPLE_OLD_PID, new_pid=SAMPLE_NEW_PID, secret=None, nonce=None,
                      old_salt=None, new_salt=None):
        """Inputs migrating `old_pid` to `new_pid`; the PID commitments (and, hardened, the
        identity commitment) are those the credentials carry."""
        old, new = encode_pid(old_pid), encode_pid(new_pid)
        secret = given_or_random(secret)
        # The reference commits without salt; given salts are for the hardened variant.
        if self.hardened:
            old_salt, new_salt = given_or_random(old_salt), given_or_random(new_salt)
        else:
            old_salt = new_salt = None
        inputs = {
            "oldPIDCommitment": self.pid_commitment(old, old_salt),
            "newPIDCommitment": self.pid_commitment(new, new_salt),
            "oldPID": old,
            "newPID": new,
            "userSecret": secret,
            "migrationNonce": given_or_random(nonce),
        }
        if self.hardened:
            inputs.update(identityCommitment=native_poseidon([secret]), oldSalt=old_salt, newSalt=new_salt)
        return inputs

    def expected_public(self, inputs):
        """The public signals, outputs first, computed natively; StatementError when false."""
        old, new, secret = inputs["oldPID"], inputs["newPID"], inputs["userSecret"]
        commitments = [inputs["oldPIDCommitment"], inputs["newPIDCommitment"]]
        for which, pid, commitment in (("old", old, commitments[0]), ("new", new, commitments[1])):
            opened = self.pid_commitment(pid, inputs.get(f"{which}Salt"))
            require(opened == commitment, f"the {which} PID does not open its commitment")
        tag = native_poseidon([secret, old, new])
        outputs = [tag, native_poseidon([old, new, tag, inputs["migrationNonce"]])]
        if not self.hardened:
            return outputs + commitments
        identity = inputs["identityCommitment"]
        require(native_poseidon([secret]) == identity, "the secret is not the registered identity's")
        nullifier = native_poseidon([secret, commitments[0]])
        return outputs + [nullifier] + commitments + [identity]
