// Reads a JSON list of input lists (decimal strings) on stdin and prints, as JSON, circomlibjs's
// Poseidon of each list from two implementations: the wasm `buildPoseidon` (which uses the
// optimized constants of poseidon_constants_opt.js) and `buildPoseidonReference` (the plain
// constants zkwork's data file is generated from). Outputs are decimal strings.
import { buildPoseidon, buildPoseidonReference } from "circomlibjs";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const inputLists = JSON.parse(text).map((list) => list.map(BigInt));

const wasm = await buildPoseidon();
const reference = await buildPoseidonReference();
const hashAll = (poseidon) => inputLists.map((inputs) => poseidon.F.toString(poseidon(inputs), 10));

process.stdout.write(JSON.stringify({ poseidon: hashAll(wasm), poseidon_reference: hashAll(reference) }));
