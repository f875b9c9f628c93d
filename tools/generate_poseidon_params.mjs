// Regenerates zkwork/gadgets/data/poseidon_bn254_circomlib.json from the installed circomlibjs.
//
//   node tools/generate_poseidon_params.mjs            (run from anywhere; paths are repo-relative)
//
// The round constants C and MDS matrices M are the ones circomlibjs's reference Poseidon uses
// (src/poseidon_constants.js). That module is not in the package's "exports", so it is imported
// by file path. The partial-round counts are not exported at all: they are read from the
// N_ROUNDS_P literal of src/poseidon_reference.js and cross-checked against the length of C,
// which must hold (full + partial rounds) * t constants for each width t.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = join(repoRoot, "node_modules", "circomlibjs");
const outputPath = join(repoRoot, "zkwork", "gadgets", "data", "poseidon_bn254_circomlib.json");

const BN254_R = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
const N_ROUNDS_F = 8;

const version = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
const { C, M } = (await import(pathToFileURL(join(packageDir, "src", "poseidon_constants.js")))).default;

const referenceSource = readFileSync(join(packageDir, "src", "poseidon_reference.js"), "utf8");
const roundsLiteral = referenceSource.match(/N_ROUNDS_P\s*=\s*\[([0-9,\s]+)\]/);
if (!roundsLiteral) throw new Error("N_ROUNDS_P not found in poseidon_reference.js");
const nRoundsP = roundsLiteral[1].split(",").map((s) => Number(s.trim()));

// Canonical spelling: lowercase, 0x, 64 hex digits; every value must already be reduced mod r.
const r = BigInt(BN254_R);
function canonicalHex(value) {
    const n = BigInt(value);
    if (n < 0n || n >= r) throw new Error(`constant ${value} is not below r`);
    return "0x" + n.toString(16).padStart(64, "0");
}

if (C.length !== nRoundsP.length || M.length !== nRoundsP.length) {
    throw new Error(`expected ${nRoundsP.length} widths, got C: ${C.length}, M: ${M.length}`);
}
nRoundsP.forEach((partial, index) => {
    const t = index + 2;
    if (C[index].length !== (N_ROUNDS_F + partial) * t) {
        throw new Error(`t=${t}: ${C[index].length} constants, expected (${N_ROUNDS_F}+${partial})*${t}`);
    }
    if (M[index].length !== t || M[index].some((row) => row.length !== t)) {
        throw new Error(`t=${t}: MDS matrix is not ${t}x${t}`);
    }
});

const data = {
    description: "circomlib Poseidon over BN254 Fr (x^5 S-box), widths t = 2..17; see README.md",
    source: { package: "circomlibjs", version, constants: "src/poseidon_constants.js",
              rounds: "src/poseidon_reference.js" },
    field_modulus: BN254_R,
    sbox_exponent: 5,
    n_rounds_f: N_ROUNDS_F,
    n_rounds_p: nRoundsP,
    // C[t-2][round * t + i] is added to state[i] at the start of that round.
    C: C.map((perWidth) => perWidth.map(canonicalHex)),
    // M[t-2][i][j]: the new state[i] is sum over j of M[i][j] * state[j].
    M: M.map((matrix) => matrix.map((row) => row.map(canonicalHex))),
};
writeFileSync(outputPath, JSON.stringify(data) + "\n");
console.log(`wrote ${outputPath} from circomlibjs ${version}`);
