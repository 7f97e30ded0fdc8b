// ONNX Runtime peer of bench/mlperf_ae_peers_bench (npm onnxruntime-node, CPU execution
// provider, one intra-op and one inter-op thread, sequential execution). Timing happens inside
// node with process.hrtime.bigint, so process start-up and session creation are not counted.
// MODEL is either make_onnx.py export: the FP32 model or the INT8 QDQ one (--int8), which the
// graph optimizer (level "all") rewrites into ONNX Runtime's integer kernels at session creation;
// both are timed identically.
//
//   node ort_peer.mjs MODEL.onnx INPUT.bin [--iters-b1 N] [--iters-b64 N] [--reps R]
//       prints one JSON line per batch (1, then 64), like the C++ runners (peer_runner.h):
//       {"peer":"onnxruntime","version":...,"batch":B,"us_per_call":...,"us_per_inference":...,
//        "checksum":...}; us_per_call is the median over R repetitions of the mean of N calls.
//   node ort_peer.mjs MODEL.onnx INPUT.bin --dump OUT.bin --batch B
//       runs the first B rows once and writes the outputs as raw little-endian float32
//       (the output-parity test, tests/nn/ort_parity_test.cc).
//   --output NAME   with --dump: write that output (any shape) instead of the first one
//       (vigil export's models have `score` [N] and `channel_error` [N, channels]).
//   --optimization LEVEL   graph optimization level (default "all", as timed); "disabled" runs
//       the QDQ nodes literally in float, the model's reference semantics, which the parity test
//       uses to tell the model's numbers from those of the fused integer kernels.
//
// INPUT.bin holds rows of raw little-endian float32 of the model's input width.
// Errors: a message on stderr and a non-zero exit.
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

function usage(message) {
  console.error(`ort_peer.mjs: ${message}\nusage: node ort_peer.mjs MODEL INPUT ` +
                '[--iters-b1 N] [--iters-b64 N] [--reps R] | [--dump OUT --batch B] [--optimization LEVEL]');
  process.exit(2);
}

const [modelPath, inputPath, ...rest] = process.argv.slice(2);
if (!modelPath || !inputPath) usage('MODEL and INPUT are required');
const opt = { 'iters-b1': 2000, 'iters-b64': 200, reps: 5, dump: '', batch: 1, optimization: 'all', output: '' };
const stringFlags = ['dump', 'optimization', 'output'];
for (let i = 0; i < rest.length; i += 2) {
  const key = rest[i].replace(/^--/, '');
  if (!(key in opt) || i + 1 >= rest.length) usage(`bad flag ${rest[i]}`);
  opt[key] = stringFlags.includes(key) ? rest[i + 1] : Number(rest[i + 1]);
}
for (const key of ['iters-b1', 'iters-b64', 'reps', 'batch']) {
  if (!Number.isInteger(opt[key]) || opt[key] < 1) usage(`--${key} must be an integer >= 1`);
}

const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: opt.optimization,
});
const inName = session.inputNames[0];
const outName = session.outputNames[0];
const inWidth = Number(session.inputMetadata?.[0]?.shape?.[1] ?? 640);
const outWidth = Number(session.outputMetadata?.[0]?.shape?.[1] ?? 640);
// readFileSync may return a view into node's shared pool: copy exactly the file's bytes.
const raw = readFileSync(inputPath);
const rows = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));

// Inputs and outputs are allocated once per batch, as the C++ runners do, so the loop measures
// inference plus the binding's per-call cost, not JS allocation.
function feedsFor(batch) {
  if (rows.length < batch * inWidth) {
    console.error(`ort_peer.mjs: ${inputPath} holds ${rows.length} floats, batch ${batch} needs ` +
                  `${batch * inWidth}`);
    process.exit(1);
  }
  const x = new ort.Tensor('float32', rows.slice(0, batch * inWidth), [batch, inWidth]);
  const y = new ort.Tensor('float32', new Float32Array(batch * outWidth), [batch, outWidth]);
  return { feeds: { [inName]: x }, fetches: { [outName]: y }, y };
}

if (opt.dump && opt.output) {
  const { feeds } = feedsFor(opt.batch);
  const results = await session.run(feeds);
  const t = results[opt.output];
  if (!t) usage(`the model has no output '${opt.output}' (outputs: ${session.outputNames.join(', ')})`);
  writeFileSync(opt.dump, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  process.exit(0);
}

if (opt.dump) {
  const { feeds, fetches, y } = feedsFor(opt.batch);
  await session.run(feeds, fetches);
  writeFileSync(opt.dump, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  process.exit(0);
}

for (const batch of [1, 64]) {
  const { feeds, fetches, y } = feedsFor(batch);
  const iters = batch === 1 ? opt['iters-b1'] : opt['iters-b64'];
  for (let i = 0; i < Math.max(Math.floor(iters / 5), 10); ++i) await session.run(feeds, fetches);
  const perCall = [];
  for (let r = 0; r < opt.reps; ++r) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; ++i) await session.run(feeds, fetches);
    perCall.push(Number(process.hrtime.bigint() - t0) / 1e3 / iters);
  }
  perCall.sort((a, b) => a - b);
  const usPerCall = perCall[Math.floor(perCall.length / 2)];
  let checksum = 0;
  for (const v of y.data) checksum += v;
  console.log(JSON.stringify({
    peer: 'onnxruntime', version: ort.env.versions?.common ?? '', batch, us_per_call: usPerCall,
    us_per_inference: usPerCall / batch, checksum,
  }));
}
