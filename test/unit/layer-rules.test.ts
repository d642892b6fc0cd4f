import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The layer rules of eslint.config.mjs, checked to bite: each probe is linted with ESLint's Node API and the
 * project's own configuration, as if it were a file at the given path. A rule that a later config block
 * silently replaced (as the domain rule once was by the shared/** block) fails here.
 */
interface LintMessage {
  ruleId: string | null;
  fatal: boolean;
  message: string;
}

const REFUSED: [file: string, code: string, message: RegExp][] = [
  ['shared/domain/probe.ts', "import { CertificateStore } from '../storage/certificate-store';", /never reaches storage/],
  ['shared/domain/probe.ts', "import type { TableClient } from '@azure/data-tables';", /no Azure SDK/],
  ['shared/domain/probe.ts', "import { app } from '@azure/functions';", /Functions runtime/],
  ['shared/domain/probe.ts', "import { json } from '../../functions/http/key-vault-route';", /never imports them/],
  ['shared/services/probe.ts', "import { app } from '@azure/functions';", /Functions runtime/],
  ['shared/services/probe.ts', "import { json } from '../../functions/http/key-vault-route';", /never imports them/],
  ['shared/probe.ts', "import { startLocalHost } from '../scripts/local-host/host';", /never imports them/],
  ['shared/api/probe.ts', "export { RouteTable } from '../../functions/http/route-table';", /never imports them/],
  ['functions/probe.ts', "import { getRegisteredFunctions } from '../scripts/local-host/functions-core';", /not deployed/],
  ['functions/http/probe.ts', "import { startLocalHost } from '../../scripts/local-host/host';", /not deployed/],
];

const ALLOWED: [file: string, code: string][] = [
  ['shared/domain/probe.ts', "import { keySpecOf } from '../crypto/key-spec';"],
  ['shared/services/probe.ts', "import { CertificateStore } from '../storage/certificate-store';"],
  ['shared/storage/probe.ts', "import { TableClient } from '@azure/data-tables';"],
  ['functions/probe.ts', "import { app } from '@azure/functions';"],
];

let results: LintMessage[][];

beforeAll(() => {
  const probes = [...REFUSED, ...ALLOWED].map(([filePath, code]) => ({ filePath, code: `${code}\nexport const probe = 1;\n` }));
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'helpers', 'lint-probes.cjs')], {
    input: JSON.stringify(probes),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`lint-probes failed (${run.status}): ${run.stderr}`);
  results = JSON.parse(run.stdout) as LintMessage[][];
  const fatal = results.flat().filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`ESLint could not parse a probe: ${fatal.map((m) => m.message).join('; ')}`);
});

const restricted = (index: number) => (results[index] ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

describe('layer rules', () => {
  it.each(REFUSED.map((probe, index) => [...probe, index] as const))('%s: %s is refused', (_file, _code, message, index) => {
    expect(restricted(index)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it.each(ALLOWED.map((probe, index) => [...probe, REFUSED.length + index] as const))('%s: %s is allowed', (_file, _code, index) => {
    expect(restricted(index)).toEqual([]);
  });
});
