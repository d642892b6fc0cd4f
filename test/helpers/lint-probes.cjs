/**
 * Lints probe sources with ESLint's Node API and the project's own eslint.config.mjs, as if each were a file
 * at its given path. Reads [{ filePath, code }] as JSON on stdin; writes, for each probe, the rule ids and
 * messages ESLint reported. A separate Node process: jest's module sandbox cannot import the ES module config.
 */
const path = require('node:path');
const { ESLint } = require('eslint');

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const probes = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const cwd = path.join(__dirname, '..', '..');
  const eslint = new ESLint({ cwd });
  const results = [];
  for (const probe of probes) {
    const [result] = await eslint.lintText(probe.code, { filePath: path.join(cwd, probe.filePath) });
    results.push((result ? result.messages : []).map((m) => ({ ruleId: m.ruleId, fatal: m.fatal === true, message: m.message })));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
