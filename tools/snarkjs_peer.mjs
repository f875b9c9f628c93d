// snarkjs as zkwork's benchmark peer: Groth16 prove/verify timings of one compiled Circom
// circuit and its zkey, measured in ONE Node process (zkey read into memory once, curve built once).
//
//   node tools/snarkjs_peer.mjs --r1cs c.r1cs --wasm c.wasm --zkey c.zkey --vk vk.json \
//        --input input.json [--runs 20] [--verify-runs 100] [--warmup 1] [--export DIR]
//
// zkwork.bench.snarkjs_peer builds and caches the circuit and its keys (compile with circom2,
// a benchmark-only powers of tau, zkwork's byte-identical `prepare phase2`, `zkey new` and one
// phase-2 contribution) and runs this script. Here snarkjs exports the verification key from
// the zkey into --vk unless that file exists (tmp file and rename, so an interrupted export
// leaves nothing): snarkjs reads the zkey, and every proof below must verify against it.
//
// The .wasm and the zkey are read into memory once and handed to snarkjs as buffers (a
// Uint8Array and a {type: "mem"} object, which snarkjs's fastfile reads like files), so no
// timed step reads a file. After `warmup` untimed rounds of each step, `runs` witnesses
// (snarkjs's wtns.calculate, input JSON in, .wtns in memory out: witness_ms), `runs` proves
// of one witness (prove_ms), `runs` groth16.fullProve calls (input JSON in, proof out, as a
// proving server answers a request: fullprove_ms) and `verify-runs` verifies (verify_ms) are
// timed with performance.now(). snarkjs compiles and instantiates the .wasm inside every
// wtns.calculate and fullProve call (it takes bytes, not a compiled module), so that work is
// in witness_ms and fullprove_ms, as it is in every snarkjs call. Stdout gets one JSON object
// (every run's milliseconds, the sizes, vk_s: the export's seconds, 0 if the file existed,
// the exported paths); stderr gets progress. The last proof and its public signals are
// written as proof.json / public.json into --export DIR.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as snarkjs from "snarkjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NODE_MODULES = path.join(ROOT, "node_modules");

const progress = (message) => process.stderr.write(`[snarkjs_peer] ${message}\n`);

function parseArgs(argv) {
    const options = { runs: 20, verifyRuns: 100, warmup: 1 };
    const names = { "--r1cs": "r1cs", "--wasm": "wasm", "--zkey": "zkey", "--vk": "vk", "--input": "input",
        "--runs": "runs", "--verify-runs": "verifyRuns", "--warmup": "warmup", "--export": "export" };
    for (let i = 0; i < argv.length; i += 2) {
        const key = names[argv[i]];
        if (key === undefined || argv[i + 1] === undefined) {
            throw new Error(`bad argument ${argv[i]}; see the header of ${fileURLToPath(import.meta.url)}`);
        }
        options[key] = argv[i + 1];
    }
    for (const key of ["r1cs", "wasm", "zkey", "vk", "input", "export"]) {
        if (!options[key]) throw new Error(`--${key} is required`);
    }
    for (const key of ["runs", "verifyRuns", "warmup"]) {
        options[key] = Number(options[key]);
        if (!Number.isInteger(options[key]) || options[key] < 0) throw new Error(`--${key} must be a non-negative integer`);
    }
    if (options.runs < 1) throw new Error("--runs must be at least 1");
    return options;
}

// snarkjs's verification key of the zkey into `vkFile` unless it exists; the seconds it took.
async function exportVerificationKey(zkeyFile, vkFile) {
    if (fs.existsSync(vkFile)) return 0;
    progress("verification key (snarkjs zkey export verificationkey)");
    const start = performance.now();
    const temporary = `${vkFile}.tmp-${process.pid}`;
    fs.writeFileSync(temporary, JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyFile), null, 1));
    fs.renameSync(temporary, vkFile);
    return (performance.now() - start) / 1000;
}

function timed(fn) {
    return async () => {
        const start = performance.now();
        const value = await fn();
        return [performance.now() - start, value];
    };
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const r1cs = await snarkjs.r1cs.info(options.r1cs);
    const vkSeconds = await exportVerificationKey(options.zkey, options.vk);
    const vk = JSON.parse(fs.readFileSync(options.vk, "utf8"));

    const input = JSON.parse(fs.readFileSync(options.input, "utf8"));
    const wasm = new Uint8Array(fs.readFileSync(options.wasm));
    const zkey = { type: "mem", data: new Uint8Array(fs.readFileSync(options.zkey)) };
    const wtns = { type: "mem" };
    await snarkjs.wtns.calculate(input, wasm, wtns);
    const witness = timed(() => snarkjs.wtns.calculate(input, wasm, { type: "mem" }));
    const prove = timed(() => snarkjs.groth16.prove(zkey, wtns));
    const fullProve = timed(() => snarkjs.groth16.fullProve(input, wasm, zkey));
    let last;
    const verify = timed(() => snarkjs.groth16.verify(vk, last.publicSignals, last.proof));

    progress(`warm-up (${options.warmup})`);
    for (let i = 0; i < options.warmup; i++) {
        await witness();
        [, last] = await prove();
        await fullProve();
        await verify();
    }
    // `count` timed runs of `step`; `use` sees each run's value.
    const series = async (name, count, step, use) => {
        progress(`${name} x ${count}`);
        const times = [];
        for (let i = 0; i < count; i++) {
            const [ms, value] = await step();
            use(value);
            times.push(ms);
        }
        return times;
    };
    const keep = (value) => { last = value; };
    const witnessMs = await series("witness", options.runs, witness, () => {});
    const proveMs = await series("prove", options.runs, prove, keep);
    const fullproveMs = await series("fullprove", options.runs, fullProve, keep);
    // the last fullProve proof: snarkjs must accept it
    const verifyMs = await series("verify", options.verifyRuns, verify, (ok) => {
        if (!ok) throw new Error("snarkjs rejected its own proof");
    });

    const exportDir = path.resolve(options.export);
    fs.mkdirSync(exportDir, { recursive: true });
    const exported = { proof: path.join(exportDir, "proof.json"), public: path.join(exportDir, "public.json") };
    fs.writeFileSync(exported.proof, JSON.stringify(last.proof, null, 1));
    fs.writeFileSync(exported.public, JSON.stringify(last.publicSignals, null, 1));

    const report = {
        snarkjs: JSON.parse(fs.readFileSync(path.join(NODE_MODULES, "snarkjs", "package.json"), "utf8")).version,
        node: process.version,
        cpus: os.cpus().length,
        constraints: r1cs.nConstraints,
        wires: r1cs.nVars,
        public: r1cs.nPubInputs + r1cs.nOutputs,
        zkey_bytes: zkey.data.byteLength,
        witness_ms: witnessMs,
        warmup: options.warmup,
        prove_ms: proveMs,
        fullprove_ms: fullproveMs,
        verify_ms: verifyMs,
        vk_s: vkSeconds,
        paths: exported,
    };
    process.stdout.write(JSON.stringify(report) + "\n");
}

// ffjavascript builds one bn128 instance (and its worker threads) per process; every snarkjs
// call above shares it, and terminating it lets the process exit.
const curve = await snarkjs.curves.getCurveFromName("bn128");
try {
    await main();
} finally {
    await curve.terminate();
}
