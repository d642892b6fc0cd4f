import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Reads, from the official SDK packages installed on this machine, which api-versions each one can send and
 * which it sends by default, so a test can hold the service to them without copying numbers by hand.
 * Every reader answers `{ found: false, reason }` when the SDK is not installed, and throws when it is
 * installed but its layout changed, so an upgrade is never mistaken for an absence.
 */
export type SdkVersions =
  | { found: true; where: string; defaultVersion: string; selectable: string[] }
  | { found: false; reason: string };

const VERSION = /^(?:\d{4}-\d{2}-\d{2}|\d+\.\d+)(?:-preview(?:\.\d+)?)?$/;

function layoutChanged(where: string, what: string): never {
  throw new Error(`${where}: ${what}; the package layout changed, update test/helpers/installed-sdks.ts`);
}

/** JS: `LATEST_API_VERSION` in the package's models module, which the client uses when no `serviceVersion` is given. */
export function jsSdkVersions(packageName: string, modelsFile: string): SdkVersions {
  let root: string;
  try {
    root = dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    return { found: false, reason: `${packageName} is not installed (npm ci installs it as a dev dependency)` };
  }
  const dist = join(root, 'dist', 'commonjs');
  const models = readFileSync(join(dist, `${modelsFile}.js`), 'utf8');
  const latest = /\bLATEST_API_VERSION\s*=\s*"([^"]+)"/.exec(models)?.[1] ?? layoutChanged(`${packageName}/${modelsFile}.js`, 'no LATEST_API_VERSION');
  const index = readFileSync(join(dist, 'index.js'), 'utf8');
  if (!/serviceVersion\s*\|\|\s*(?:[\w$]+\.)?LATEST_API_VERSION\b/.test(index)) {
    layoutChanged(`${packageName}/index.js`, 'the client no longer defaults to `serviceVersion || LATEST_API_VERSION`');
  }
  const typings = readFileSync(join(dist, `${modelsFile}.d.ts`), 'utf8');
  const union = /serviceVersion\?:\s*([^;]+);/.exec(typings)?.[1] ?? layoutChanged(`${packageName}/${modelsFile}.d.ts`, 'no serviceVersion option');
  const selectable = [...union.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { found: true, where: `${packageName}@${version}`, defaultVersion: latest, selectable };
}

/** Where Debian's python3-azure puts the Key Vault packages (for /usr/bin/python3). */
export const DEBIAN_PYTHON_KEYVAULT = '/usr/lib/python3/dist-packages/azure/keyvault';

/** Python: `DEFAULT_VERSION = ApiVersion.X` and the `ApiVersion` members in `_shared/client_base.py`. */
export function pythonSdkVersions(packageDir: string): SdkVersions {
  const file = join(packageDir, '_shared', 'client_base.py');
  if (!existsSync(file)) return { found: false, reason: `${file} does not exist (apt-get install python3-azure provides it)` };
  const source = readFileSync(file, 'utf8');
  const enumBody = /class ApiVersion\b[^\n]*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)+)/.exec(source)?.[1] ?? layoutChanged(file, 'no ApiVersion class');
  const members = new Map([...enumBody.matchAll(/^\s+(\w+)\s*=\s*"([^"]+)"/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const defaultMember = /^DEFAULT_VERSION\s*=\s*ApiVersion\.(\w+)/m.exec(source)?.[1] ?? layoutChanged(file, 'no DEFAULT_VERSION = ApiVersion.X');
  const defaultVersion = members.get(defaultMember) ?? layoutChanged(file, `DEFAULT_VERSION names ${defaultMember}, not an ApiVersion member`);
  return { found: true, where: file, defaultVersion, selectable: [...members.values()] };
}

/** The NuGet global packages folder: NUGET_PACKAGES, else what `dotnet` says, else NuGet's default. */
export function nugetGlobalPackages(): string {
  if (process.env.NUGET_PACKAGES) return process.env.NUGET_PACKAGES;
  try {
    const out = execFileSync('dotnet', ['nuget', 'locals', 'global-packages', '--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const listed = /global-packages:\s*(.+)/.exec(out)?.[1]?.trim();
    if (listed) return listed;
  } catch {
    // No dotnet on this machine: NuGet's default location is still where a restore elsewhere would have put it.
  }
  return join(homedir(), '.nuget', 'packages');
}

/**
 * The version of a NuGet package the .NET test project references (test/dotnet, *.csproj or
 * Directory.Packages.props), so this check follows that project's upgrades; `fallback` when there is none.
 */
export function referencedNugetVersion(repoRoot: string, packageId: string, fallback: string): string {
  const dir = join(repoRoot, 'test', 'dotnet');
  if (!existsSync(dir)) return fallback;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(csproj|props)$/.test(f) && !/(^|\/)(bin|obj)\//.test(f));
  const escaped = packageId.replace(/\./g, '\\.');
  const reference = new RegExp(`<Package(?:Reference|Version)\\s+Include="${escaped}"\\s+Version="([^"]+)"`, 'i');
  for (const file of files) {
    const found = reference.exec(readFileSync(join(dir, file), 'utf8'))?.[1];
    if (found) return found;
  }
  return fallback;
}

/**
 * The api-version literals compiled into a .NET assembly: whole entries of its #US (user string) heap that
 * are exactly a version. An entry is a length byte (2 × characters + 1), UTF-16LE text and a flag byte, so a
 * version found inside a longer string (a URL, a message) is not mistaken for one.
 */
export function apiVersionLiteralsOf(dll: Buffer): string[] {
  const text = dll.toString('latin1');
  const found = new Set<string>();
  // The NUL and flag bytes are the point of the pattern: they are how a user string is laid out.
  // eslint-disable-next-line no-control-regex
  for (const match of text.matchAll(/(?=([\s\S])((?:[0-9a-z.-]\x00){3,24})[\x00\x01])/g)) {
    const [, prefix = '', utf16 = ''] = match;
    const value = utf16.split('\x00').join('');
    if (prefix.charCodeAt(0) === value.length * 2 + 1 && VERSION.test(value)) found.add(value);
  }
  return [...found];
}

/** Key Vault's order: dated versions up to 2016, then 7.x, then dated versions again; a preview before its GA. */
export function compareApiVersions(a: string, b: string): number {
  const key = (v: string) => {
    const [base = '', preview] = v.split('-preview');
    const era = /^\d+\.\d+$/.test(base) ? 1 : Number(base.slice(0, 4)) < 2018 ? 0 : 2;
    const padded = /^\d+\.\d+$/.test(base) ? base.split('.').map((n) => n.padStart(4, '0')).join('.') : base;
    return `${era}|${padded}|${preview === undefined ? 'z' : `a${preview.padStart(6, '0')}`}`;
  };
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * .NET: the client options default to `LatestVersion`, the newest `ServiceVersion`, so the default is the
 * newest version literal in the assembly; every non-preview literal is one a caller can select.
 */
export function dotnetSdkVersions(packagesRoot: string, packageId: string, version: string): SdkVersions {
  const packageDir = join(packagesRoot, packageId.toLowerCase(), version);
  const lib = join(packageDir, 'lib');
  if (!existsSync(lib)) {
    return { found: false, reason: `${packageId} ${version} is not in the NuGet packages folder ${packagesRoot} (restore test/dotnet, or dotnet add package ${packageId} --version ${version})` };
  }
  const framework = ['netstandard2.0', ...readdirSync(lib)].find((f) => existsSync(join(lib, f, `${packageId}.dll`)));
  if (!framework) layoutChanged(lib, `no ${packageId}.dll`);
  const dll = join(lib, framework, `${packageId}.dll`);
  const literals = apiVersionLiteralsOf(readFileSync(dll)).sort(compareApiVersions);
  const defaultVersion = literals.at(-1) ?? layoutChanged(dll, 'no api-version literal');
  return { found: true, where: dll, defaultVersion, selectable: literals.filter((v) => !v.includes('preview')) };
}
