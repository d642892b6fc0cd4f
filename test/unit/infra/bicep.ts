/** Finding and running the Bicep CLI for the infrastructure tests. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ArmTemplate } from './arm';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const INFRA_DIR = path.join(REPO_ROOT, 'infra');

/** Where .ci/install-bicep.sh puts the CLI. */
export const INSTALLED_BICEP = path.join(REPO_ROOT, '.ci/bicep/tools/bicep');

export const INSTALL_HINT =
  'The Bicep CLI is needed to compile infra/*.bicep. Install it with `bash .ci/install-bicep.sh` ' +
  '(fetches NuGet package Azure.Bicep.CommandLine.<rid> with `dotnet restore` and links it at .ci/bicep/tools/bicep), ' +
  'or install it any other way (https://aka.ms/bicep-install, `az bicep install`) and set BICEP_BIN to the executable.';

/** BICEP_BIN if set, else the path .ci/install-bicep.sh installs to; throws with install instructions if absent. */
export function bicepBinary(): string {
  const fromEnv = process.env.BICEP_BIN?.trim();
  const candidate = fromEnv || INSTALLED_BICEP;
  if (!existsSync(candidate)) {
    throw new Error(`Bicep CLI not found at ${candidate}${fromEnv ? ' (BICEP_BIN)' : ''}. ${INSTALL_HINT}`);
  }
  return candidate;
}

export interface BicepRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runBicep(args: string[]): BicepRun {
  const result = spawnSync(bicepBinary(), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw new Error(`could not run ${bicepBinary()}: ${result.error.message}. ${INSTALL_HINT}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `bicep build --stdout`: the ARM template, and whatever the compiler said (warnings included). */
export function buildTemplate(file: string): { template: ArmTemplate; diagnostics: string } {
  const run = runBicep(['build', file, '--stdout']);
  if (run.status !== 0) throw new Error(`bicep build ${file} failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  return { template: JSON.parse(run.stdout) as ArmTemplate, diagnostics: run.stderr.trim() };
}
