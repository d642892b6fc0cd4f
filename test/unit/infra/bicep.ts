/** Finding and running the Bicep CLI for the infrastructure tests. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ArmTemplate } from './arm';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const INFRA_DIR = path.join(REPO_ROOT, 'infra');

/** Where .ci/install-bicep.sh puts the CLI. */
export const INSTALLED_BICEP = path.join(REPO_ROOT, '.ci/bicep/tools/bicep');

export const INSTALL_HINT =
  'Install it with `bash .ci/install-bicep.sh` (needs the dotnet SDK: fetches NuGet package ' +
  'Azure.Bicep.CommandLine.<rid> and links it at .ci/bicep/tools/bicep), with `az bicep install`, or from ' +
  'https://aka.ms/bicep-install; or set BICEP_BIN to the executable.';

export type BicepLookup =
  | { found: true; path: string; source: string }
  /** `misconfigured`: BICEP_BIN names something that is not an executable, which is a mistake, not an absence. */
  | { found: false; reason: string; misconfigured: boolean };

export interface LookupPlaces {
  env: NodeJS.ProcessEnv;
  home: string;
  repoRoot: string;
  platform: NodeJS.Platform;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Bicep CLI, looked for where people put it, in this order: BICEP_BIN; `bicep` on PATH (the Bicep
 * installers, Homebrew, winget); ~/.azure/bin/bicep (`az bicep install`); .ci/bicep/tools/bicep
 * (.ci/install-bicep.sh).
 */
export function findBicep(places: LookupPlaces = defaultPlaces()): BicepLookup {
  const { env, home, repoRoot, platform } = places;
  const executable = platform === 'win32' ? 'bicep.exe' : 'bicep';

  const fromEnv = env.BICEP_BIN?.trim();
  if (fromEnv) {
    if (isExecutableFile(fromEnv)) return { found: true, path: fromEnv, source: 'BICEP_BIN' };
    return { found: false, reason: `BICEP_BIN=${fromEnv} is not an executable file.`, misconfigured: true };
  }

  const pathDirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of pathDirs) {
    const candidate = path.join(dir, executable);
    if (isExecutableFile(candidate)) return { found: true, path: candidate, source: 'PATH' };
  }

  const azureCli = path.join(home, '.azure', 'bin', executable);
  if (isExecutableFile(azureCli)) return { found: true, path: azureCli, source: '~/.azure/bin (az bicep install)' };

  const installed = path.join(repoRoot, '.ci', 'bicep', 'tools', executable);
  if (isExecutableFile(installed)) return { found: true, path: installed, source: '.ci/install-bicep.sh' };

  return {
    found: false,
    reason: `No Bicep CLI found (looked at BICEP_BIN, ${executable} on PATH, ${azureCli} and ${installed}).`,
    misconfigured: false,
  };
}

function defaultPlaces(): LookupPlaces {
  return { env: process.env, home: os.homedir(), repoRoot: REPO_ROOT, platform: process.platform };
}

/** CI (CI=true, as GitHub Actions and most CI services set it) and .ci/run (REQUIRE_BICEP=1) must compile the templates. */
export function bicepRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1)$/i.test(env.CI?.trim() ?? '') || env.REQUIRE_BICEP?.trim() === '1';
}

let cached: BicepLookup | undefined;
/** findBicep() for this process, looked up once. */
export function locateBicep(): BicepLookup {
  cached ??= findBicep();
  return cached;
}

/** The CLI found by findBicep(); throws with install instructions if there is none. */
export function bicepBinary(): string {
  const lookup = locateBicep();
  if (!lookup.found) throw new Error(`${lookup.reason} ${INSTALL_HINT}`);
  return lookup.path;
}

export interface BicepRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runBicep(args: string[]): BicepRun {
  const binary = bicepBinary();
  const result = spawnSync(binary, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw new Error(`could not run ${binary}: ${result.error.message}. ${INSTALL_HINT}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `bicep build --stdout`: the ARM template, and whatever the compiler said (warnings included). */
export function buildTemplate(file: string): { template: ArmTemplate; diagnostics: string } {
  const run = runBicep(['build', file, '--stdout']);
  if (run.status !== 0) {
    throw new Error(`${bicepBinary()} build ${file} failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  }
  return { template: JSON.parse(run.stdout) as ArmTemplate, diagnostics: run.stderr.trim() };
}
