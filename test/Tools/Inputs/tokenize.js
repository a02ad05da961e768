// Tokenizes a file with a TextMate grammar in VS Code's own engine (npm
// vscode-textmate with the Oniguruma regexes of vscode-oniguruma, from
// tools/textmate/node_modules) and prints one line per token that is not
// blank: `LINE:COLUMN 'TEXT' SCOPE SCOPE ...` (the root scope left out).
// Usage: node tokenize.js GRAMMAR.json FILE
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const [grammarPath, sourcePath] = process.argv.slice(2);
const wasm = fs.readFileSync(
    path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));

async function main() {
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(
        fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  const grammar = await registry.loadGrammar('source.dl');
  if (!grammar)
    throw new Error(`no grammar in ${grammarPath}`);
  const lines = fs.readFileSync(sourcePath, 'utf8').split('\n');
  let state = vsctm.INITIAL;
  lines.forEach((line, i) => {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      const text = line.substring(t.startIndex, t.endIndex);
      if (text.trim() === '')
        continue;
      const scopes = t.scopes.filter((s) => s !== 'source.dl');
      console.log(`${i + 1}:${t.startIndex + 1} '${text}' ${scopes.join(' ')}`);
    }
    state = result.ruleStack;
  });
}

main().catch((e) => {
  console.error(`tokenize.js: error: ${e.message}`);
  process.exit(1);
});
