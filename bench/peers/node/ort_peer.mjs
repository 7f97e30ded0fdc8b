// Times ONNX Runtime (onnxruntime-node, CPU, one thread) on an ONNX model, or dumps its
// outputs for the parity test. Timing happens inside node, so process start-up is excluded.
//
//   node ort_peer.mjs MODEL.onnx INPUT.bin --batch B --iters N [--warmup W] [--reps R]
//   node ort_peer.mjs MODEL.onnx INPUT.bin --batch B --dump OUT.bin
//
// INPUT.bin holds at least B rows of raw little-endian float32. Prints one JSON line:
// {"peer":"onnxruntime","batch":B,"us_per_call":...,"us_per_inference":...,"checksum":...}
// us_per_call is the median over R repetitions of the mean over N calls.
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [model, inputPath, ...rest] = process.argv.slice(2);
const opt = { batch: 1, iters: 2000, warmup: 200, reps: 5, dump: '' };
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, '')] = rest[i + 1];
const batch = Number(opt.batch);

const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const inName = session.inputNames[0];
// Small files come back as views into node's shared buffer pool: copy out exactly their bytes.
const raw = readFileSync(inputPath);
const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
const width = all.length;
const features = session.inputMetadata?.[0]?.shape?.[1] ?? 640;
const dims = Number(features);
if (all.length < batch * dims) throw new Error(`${inputPath}: ${width} floats, need ${batch * dims}`);
const feeds = { [inName]: new ort.Tensor('float32', all.subarray(0, batch * dims), [batch, dims]) };

if (opt.dump) {
  const out = await session.run(feeds);
  const y = out[session.outputNames[0]].data;
  writeFileSync(opt.dump, Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  process.exit(0);
}

let checksum = 0;
for (let i = 0; i < Number(opt.warmup); ++i) await session.run(feeds);
const per = [];
for (let r = 0; r < Number(opt.reps); ++r) {
  const n = Number(opt.iters);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; ++i) {
    const out = await session.run(feeds);
    checksum += out[session.outputNames[0]].data[0];
  }
  per.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
}
per.sort((a, b) => a - b);
const usPerCall = per[Math.floor(per.length / 2)];
console.log(JSON.stringify({ peer: 'onnxruntime', version: ort.env.versions?.common ?? '', batch,
  us_per_call: usPerCall, us_per_inference: usPerCall / batch, checksum }));
