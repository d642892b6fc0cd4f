/**
 * Where the infrastructure tests find the Bicep CLI, and when its absence fails the run instead of skipping:
 * fake `bicep` executables in a temporary tree stand in for real installations.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LookupPlaces, bicepRequired, findBicep } from './bicep';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'bicep-lookup-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeBicep(relative: string, executable = true): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\necho "Bicep CLI version 0.0.0"\n');
  chmodSync(file, executable ? 0o755 : 0o644);
  return file;
}

function places(env: NodeJS.ProcessEnv = {}): LookupPlaces {
  return { env, home: path.join(root, 'home'), repoRoot: path.join(root, 'repo'), platform: 'linux' };
}

const describeOnPosix = process.platform === 'win32' ? describe.skip : describe;
if (process.platform === 'win32') console.warn('bicep-lookup.test.ts: needs POSIX file modes; skipped on Windows');

describeOnPosix('finding the Bicep CLI', () => {
  test('BICEP_BIN first, then PATH, then ~/.azure/bin, then .ci/bicep/tools', () => {
    const ci = fakeBicep('repo/.ci/bicep/tools/bicep');
    expect(findBicep(places())).toEqual({ found: true, path: ci, source: '.ci/install-bicep.sh' });

    const azureCli = fakeBicep('home/.azure/bin/bicep');
    expect(findBicep(places())).toMatchObject({ found: true, path: azureCli });

    const onPath = fakeBicep('usr/bin/bicep');
    const PATH = [path.join(root, 'empty'), path.dirname(onPath)].join(path.delimiter);
    expect(findBicep(places({ PATH }))).toEqual({ found: true, path: onPath, source: 'PATH' });

    const chosen = fakeBicep('elsewhere/bicep-0.49');
    expect(findBicep(places({ PATH, BICEP_BIN: chosen }))).toEqual({ found: true, path: chosen, source: 'BICEP_BIN' });
  });

  test('a file that is not executable, or a directory named bicep, does not count', () => {
    fakeBicep('repo/.ci/bicep/tools/bicep', false);
    mkdirSync(path.join(root, 'home/.azure/bin/bicep'), { recursive: true });
    const lookup = findBicep(places());
    expect(lookup).toMatchObject({ found: false, misconfigured: false });
    expect(!lookup.found && lookup.reason).toContain(path.join(root, 'repo/.ci/bicep/tools/bicep'));
  });

  test('a BICEP_BIN that is not an executable is a mistake, even when another CLI is installed', () => {
    fakeBicep('repo/.ci/bicep/tools/bicep');
    const lookup = findBicep(places({ BICEP_BIN: path.join(root, 'nowhere/bicep') }));
    expect(lookup).toMatchObject({ found: false, misconfigured: true });
    expect(!lookup.found && lookup.reason).toContain('BICEP_BIN=');
  });
});

describe('when a missing Bicep CLI must fail the run', () => {
  test('CI=true (or 1) and REQUIRE_BICEP=1 require it; otherwise it may be skipped', () => {
    expect(bicepRequired({ CI: 'true' })).toBe(true);
    expect(bicepRequired({ CI: '1' })).toBe(true);
    expect(bicepRequired({ REQUIRE_BICEP: '1' })).toBe(true);
    expect(bicepRequired({})).toBe(false);
    expect(bicepRequired({ CI: 'false', REQUIRE_BICEP: '0' })).toBe(false);
  });
});
