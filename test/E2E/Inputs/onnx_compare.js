// Runs an exported ONNX model in ONNX Runtime (npm onnxruntime-node, CPU) on
// the first N images of an idx test set, N being the rows of the CSV that
// `./train predict --logits` wrote for the same checkpoint, and compares:
// the labels of the CSV must be those of the idx label file (same samples),
// every predicted class must be the same and every logit within TOL.
//
// Usage: node onnx_compare.js MODEL.onnx PREDICT.csv IMAGES.gz LABELS.gz [TOL]
// Images are scaled to [0, 1] as the trainer's idx loader does.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

function readIdx(path) {
  let bytes = fs.readFileSync(path);
  if (path.endsWith('.gz')) bytes = zlib.gunzipSync(bytes);
  const rank = bytes[3];
  const dims = [];
  for (let i = 0; i < rank; ++i) dims.push(bytes.readUInt32BE(4 + 4 * i));
  return {dims, data: bytes.subarray(4 + 4 * rank)};
}

function fail(message) {
  console.error('onnx_compare: error: ' + message);
  process.exit(1);
}

async function main() {
  const [modelPath, csvPath, imagesPath, labelsPath, tolArg] =
      process.argv.slice(2);
  const tol = tolArg ? Number(tolArg) : 1e-4;
  const lines = fs.readFileSync(csvPath, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const classes = header.filter((h) => h.startsWith('logit_')).length;
  if (header[0] !== 'index' || !classes)
    fail(`${csvPath}: expected the header of predict --logits, got ${lines[0]}`);
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  const n = rows.length;
  const pixels = images.dims[1] * images.dims[2];
  if (n === 0 || n > images.dims[0]) fail(`${n} CSV rows for ${images.dims[0]} images`);

  const session = await ort.InferenceSession.create(modelPath);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const batch = 100;
  let maxDiff = 0, sameClass = 0;
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const x = new Float32Array(m * pixels);
    for (let i = 0; i < m * pixels; ++i)
      x[i] = images.data[start * pixels + i] * (1 / 255);
    const feeds = {};
    feeds[inputName] =
        new ort.Tensor('float32', x, [m, 1, images.dims[1], images.dims[2]]);
    const out = (await session.run(feeds))[outputName];
    if (out.dims.length !== 2 || out.dims[0] !== m || out.dims[1] !== classes)
      fail(`output shape [${out.dims}], expected [${m}, ${classes}]`);
    for (let i = 0; i < m; ++i) {
      const row = rows[start + i];
      const index = start + i;
      if (row[0] !== index) fail(`CSV row ${index} has index ${row[0]}`);
      if (row[2] !== labels.data[index])
        fail(`sample ${index}: CSV label ${row[2]}, idx label ${labels.data[index]}`);
      let best = 0;
      for (let j = 0; j < classes; ++j) {
        const got = out.data[i * classes + j];
        if (got > out.data[i * classes + best]) best = j;
        const diff = Math.abs(got - row[3 + j]);
        if (!(diff <= tol))
          fail(`sample ${index}, logit ${j}: ONNX Runtime ${got}, ./train ${row[3 + j]}`);
        maxDiff = Math.max(maxDiff, diff);
      }
      if (best !== row[1])
        fail(`sample ${index}: ONNX Runtime predicts ${best}, ./train ${row[1]}`);
      ++sameClass;
    }
  }
  console.log(`onnxruntime ${ort.env.versions.node}: ${n} samples, ` +
              `${sameClass} same classes, logits within ${tol} ` +
              `(max difference ${maxDiff.toExponential(2)})`);
}

main().catch((e) => fail(String(e && e.stack || e)));
