// snarkjs as zkwork's benchmark peer: Groth16 prove/verify timings of one Circom main file,
// measured in ONE Node process (zkey read into memory once, curve built once).
//
//   node tools/snarkjs_peer.mjs --circuit circuits/main/membership_reference_d4.circom \
//        --input input.json [--runs 20] [--verify-runs 100] [--warmup 1] [--cache DIR] \
//        [--power N] [--export DIR]
//
// Steps, each cached under the cache directory (--cache, else $ZKWORK_SNARKJS_CACHE, else
// ~/.cache/zkwork/snarkjs):
//   compile  circom2 --O2 --r1cs --wasm -l node_modules      circuits/<stem>-<hash>/
//   ptau     powers of tau of the needed power, phase 2 ready   ptau/pot<power>.ptau
//   zkey     groth16 setup + one phase-2 contribution, vk       circuits/<stem>-<hash>/p<power>.zkey
// <hash> covers the main file, every file it includes (transitively) and the circom2 version,
// so editing a library circuit invalidates the cache. The ptau power defaults to the circuit's
// domain, ceil(log2(constraints + public inputs + outputs + 1)), the smallest snarkjs accepts;
// --power makes a larger ptau (to time its preparation, or to mimic a big ceremony file).
// The zkey, and so the prover's work, depends on the circuit's domain only, not on the power.
//
// BENCHMARK-ONLY SETUP: the ptau is ONE local contribution with throwaway entropy (no beacon:
// snarkjs does not need one to prepare phase 2) and the zkey gets one local contribution.
// The entropy is random and dropped, but nothing attests that: these keys are for timing and
// interoperability tests only, never for proofs anyone should trust.
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
// (every run's milliseconds, the sizes, the per-step setup seconds with 0 for a cached step,
// the paths); stderr gets progress. The last proof and its public signals are
// written as proof.json / public.json into --export DIR, by default the circuit's cache
// directory, next to the zkey's verification key.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as snarkjs from "snarkjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NODE_MODULES = path.join(ROOT, "node_modules");
const CIRCOM = path.join(NODE_MODULES, ".bin", "circom2");

const progress = (message) => process.stderr.write(`[snarkjs_peer] ${message}\n`);
// snarkjs's own messages for the long steps: info and above, debug chatter dropped.
const logger = {
    debug() {},
    info: (m) => progress(`  ${m}`),
    log: (m) => progress(`  ${m}`),
    warn: (m) => progress(`  warning: ${m}`),
    error: (m) => progress(`  error: ${m}`),
};

function parseArgs(argv) {
    const options = { runs: 20, verifyRuns: 100, warmup: 1 };
    const names = { "--circuit": "circuit", "--input": "input", "--runs": "runs", "--verify-runs": "verifyRuns",
        "--warmup": "warmup", "--cache": "cache", "--power": "power", "--export": "export" };
    for (let i = 0; i < argv.length; i += 2) {
        const key = names[argv[i]];
        if (key === undefined || argv[i + 1] === undefined) {
            throw new Error(`bad argument ${argv[i]}; see the header of ${fileURLToPath(import.meta.url)}`);
        }
        options[key] = argv[i + 1];
    }
    if (!options.circuit || !options.input) throw new Error("--circuit and --input are required");
    for (const key of ["runs", "verifyRuns", "warmup", "power"]) {
        if (options[key] === undefined) continue;
        options[key] = Number(options[key]);
        if (!Number.isInteger(options[key]) || options[key] < 0) throw new Error(`--${key} must be a non-negative integer`);
    }
    if (options.runs < 1) throw new Error("--runs must be at least 1");
    options.cache = path.resolve(options.cache || process.env.ZKWORK_SNARKJS_CACHE
        || path.join(os.homedir(), ".cache", "zkwork", "snarkjs"));
    return options;
}

// The main file and everything it includes, resolved as circom does (the including file's
// directory first, then -l node_modules), in a stable order.
function sourceFiles(mainFile) {
    const seen = new Set();
    const visit = (file) => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = fs.readFileSync(file, "utf8");
        for (const [, name] of text.matchAll(/^\s*include\s+"([^"]+)"\s*;/gm)) {
            const candidates = [path.resolve(path.dirname(file), name), path.resolve(NODE_MODULES, name)];
            const found = candidates.find((c) => fs.existsSync(c));
            if (!found) throw new Error(`${file} includes ${name}, found neither next to it nor in node_modules`);
            visit(found);
        }
    };
    visit(path.resolve(mainFile));
    return [...seen].sort();
}

function circuitHash(mainFile) {
    const hash = createHash("sha256");
    hash.update(JSON.parse(fs.readFileSync(path.join(NODE_MODULES, "circom2", "package.json"), "utf8")).version);
    for (const file of sourceFiles(mainFile)) hash.update(path.basename(file)).update(fs.readFileSync(file));
    return hash.digest("hex").slice(0, 16);
}

// Build into a temporary sibling and rename: an interrupted step never leaves a cache entry.
async function cached(target, build) {
    if (fs.existsSync(target)) return 0;
    const temporary = `${target}.tmp-${process.pid}`;
    fs.rmSync(temporary, { recursive: true, force: true });
    const start = performance.now();
    await build(temporary);
    fs.renameSync(temporary, target);
    return (performance.now() - start) / 1000;
}

function compile(mainFile, outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    const result = spawnSync(CIRCOM, [mainFile, "--O2", "--r1cs", "--wasm", "-l", NODE_MODULES, "-o", outDir],
        { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0 || !result.stdout.includes("Everything went okay")) {
        throw new Error(`circom2 failed on ${mainFile}:\n${result.stderr}\n${result.stdout}`);
    }
}

async function makePtau(curve, power, target) {
    const work = `${target}.parts`;
    fs.mkdirSync(work, { recursive: true });
    progress(`ptau ${power}: new accumulator`);
    await snarkjs.powersOfTau.newAccumulator(curve, power, path.join(work, "0.ptau"), logger);
    progress(`ptau ${power}: one contribution (benchmark only)`);
    await snarkjs.powersOfTau.contribute(path.join(work, "0.ptau"), path.join(work, "1.ptau"),
        "zkwork benchmark", randomBytes(32).toString("hex"), logger);
    progress(`ptau ${power}: prepare phase 2`);
    await snarkjs.powersOfTau.preparePhase2(path.join(work, "1.ptau"), target, logger);
    fs.rmSync(work, { recursive: true, force: true });
}

async function makeZkey(r1csFile, ptauFile, target) {
    const initial = `${target}.initial`;
    progress("zkey: groth16 setup");
    await snarkjs.zKey.newZKey(r1csFile, ptauFile, initial, logger);
    progress("zkey: one phase-2 contribution (benchmark only)");
    await snarkjs.zKey.contribute(initial, target, "zkwork benchmark", randomBytes(32).toString("hex"), logger);
    fs.rmSync(initial, { force: true });
}

const requiredPower = (r1cs) => Math.ceil(Math.log2(r1cs.nConstraints + r1cs.nPubInputs + r1cs.nOutputs + 1));

function timed(fn) {
    return async () => {
        const start = performance.now();
        const value = await fn();
        return [performance.now() - start, value];
    };
}

async function main(curve) {
    const options = parseArgs(process.argv.slice(2));
    const mainFile = path.resolve(options.circuit);
    const stem = path.basename(mainFile, ".circom");
    const circuitDir = path.join(options.cache, "circuits", `${stem}-${circuitHash(mainFile)}`);
    const buildDir = path.join(circuitDir, "build");
    const setupSeconds = {};

    progress(`compile ${stem}${fs.existsSync(buildDir) ? " (cached)" : ""}`);
    fs.mkdirSync(circuitDir, { recursive: true });
    setupSeconds.compile = await cached(buildDir, async (dir) => compile(mainFile, dir));
    const r1csFile = path.join(buildDir, `${stem}.r1cs`);
    const wasmFile = path.join(buildDir, `${stem}_js`, `${stem}.wasm`);
    const r1cs = await snarkjs.r1cs.info(r1csFile);
    const domainPower = requiredPower(r1cs);
    const power = options.power ?? domainPower;
    if (power < domainPower) throw new Error(`${stem} needs a ptau of power >= ${domainPower}, not ${power}`);

    const ptauFile = path.join(options.cache, "ptau", `pot${power}.ptau`);
    fs.mkdirSync(path.dirname(ptauFile), { recursive: true });
    progress(`ptau power ${power}${fs.existsSync(ptauFile) ? " (cached)" : ""}`);
    setupSeconds.ptau = await cached(ptauFile, (file) => makePtau(curve, power, file));
    const zkeyFile = path.join(circuitDir, `p${power}.zkey`);
    const vkFile = zkeyFile.replace(/\.zkey$/, ".verification_key.json");
    progress(`zkey${fs.existsSync(zkeyFile) ? " (cached)" : ""}`);
    setupSeconds.zkey = await cached(zkeyFile, (file) => makeZkey(r1csFile, ptauFile, file));
    setupSeconds.vk = await cached(vkFile, async (file) =>
        fs.writeFileSync(file, JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyFile), null, 1)));
    const vk = JSON.parse(fs.readFileSync(vkFile, "utf8"));

    const input = JSON.parse(fs.readFileSync(options.input, "utf8"));
    const wasm = new Uint8Array(fs.readFileSync(wasmFile));
    const zkey = { type: "mem", data: new Uint8Array(fs.readFileSync(zkeyFile)) };
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

    const exportDir = options.export ? path.resolve(options.export) : circuitDir;
    fs.mkdirSync(exportDir, { recursive: true });
    const exported = { proof: path.join(exportDir, "proof.json"), public: path.join(exportDir, "public.json") };
    fs.writeFileSync(exported.proof, JSON.stringify(last.proof, null, 1));
    fs.writeFileSync(exported.public, JSON.stringify(last.publicSignals, null, 1));

    const setupTotal = Object.values(setupSeconds).reduce((a, b) => a + b, 0);
    const report = {
        circuit: stem,
        snarkjs: JSON.parse(fs.readFileSync(path.join(NODE_MODULES, "snarkjs", "package.json"), "utf8")).version,
        node: process.version,
        cpus: os.cpus().length,
        constraints: r1cs.nConstraints,
        wires: r1cs.nVars,
        public: r1cs.nPubInputs + r1cs.nOutputs,
        domain_power: domainPower,
        ptau_power: power,
        zkey_bytes: zkey.data.byteLength,
        witness_ms: witnessMs,
        warmup: options.warmup,
        prove_ms: proveMs,
        fullprove_ms: fullproveMs,
        verify_ms: verifyMs,
        setup_steps_s: setupSeconds,
        setup_s: setupTotal,
        paths: { cache: options.cache, circuit_dir: circuitDir, r1cs: r1csFile, wasm: wasmFile, ptau: ptauFile,
            zkey: zkeyFile, verification_key: vkFile, ...exported },
    };
    process.stdout.write(JSON.stringify(report) + "\n");
}

// ffjavascript builds one bn128 instance (and its worker threads) per process; every snarkjs
// call above shares it, and terminating it lets the process exit.
const curve = await snarkjs.curves.getCurveFromName("bn128");
try {
    await main(curve);
} finally {
    await curve.terminate();
}
