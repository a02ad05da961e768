// Runs an ONNX model in ONNX Runtime on one float input and prints the
// output's shape and values (for FileCheck).
// Usage: node onnx_run.js MODEL.onnx DIMS VALUES  (e.g. 2,4 0,1,2,3,4,5,6,7)
'use strict';
const ort = require('onnxruntime-node');
(async () => {
  const [model, dims, values] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model);
  const x = new Float32Array(values.split(',').map(Number));
  const feeds = {};
  feeds[session.inputNames[0]] =
      new ort.Tensor('float32', x, dims.split(',').map(Number));
  const out = (await session.run(feeds))[session.outputNames[0]];
  console.log(`output [${out.dims.join(', ')}]: ${Array.from(out.data).join(' ')}`);
})().catch((e) => { console.error(String(e)); process.exit(1); });
