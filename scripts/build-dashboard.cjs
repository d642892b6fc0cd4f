#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Bundles the dashboard (functions/dashboard/page: plain TypeScript and DOM) into one folder the app serves
 * (functions/dashboard.ts): app.js (+ chunks loaded on demand, such as Entra sign-in), index.html, styles.css.
 * Plain JavaScript, so the launcher (scripts/launch.cjs) can run it before anything is compiled.
 *
 *   node scripts/build-dashboard.cjs [outdir]     (default: dist/dashboard)
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PAGE = path.join(ROOT, 'functions', 'dashboard', 'page');

/** @param {string} outdir @returns {Promise<string[]>} the files written, relative to outdir */
async function buildDashboard(outdir) {
  const esbuild = require('esbuild');
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: path.join(PAGE, 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    chunkNames: 'chunk-[hash]',
    outdir,
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'styles.css']) fs.copyFileSync(path.join(PAGE, file), path.join(outdir, file));
  return fs.readdirSync(outdir).sort();
}

if (require.main === module) {
  const outdir = path.resolve(ROOT, process.argv[2] ?? path.join('dist', 'dashboard'));
  buildDashboard(outdir).then(
    (files) => process.stderr.write(`dashboard: ${files.join(', ')} in ${path.relative(ROOT, outdir)}\n`),
    (error) => {
      process.stderr.write(`dashboard: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

module.exports = { buildDashboard };
