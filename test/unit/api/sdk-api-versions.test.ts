import { join } from 'node:path';
import { LATEST_API_VERSION, SUPPORTED_API_VERSIONS, isSupportedApiVersion, requireApiVersion } from '../../../shared/api/api-version';
import {
  DEBIAN_PYTHON_KEYVAULT,
  type SdkVersions,
  apiVersionLiteralsOf,
  compareApiVersions,
  dotnetSdkVersions,
  jsSdkVersions,
  nugetGlobalPackages,
  pythonSdkVersions,
  referencedNugetVersion,
} from '../../helpers/installed-sdks';

/**
 * The service must answer whatever api-version the official SDKs send. Rather than trusting a list copied by
 * hand, read each installed SDK's default (and the versions it lets a caller pick) out of the package itself,
 * so upgrading an SDK that moves its default fails here instead of at a user's first request.
 */
const repoRoot = join(__dirname, '..', '..', '..');
const inCi = process.env.CI === 'true';

const sdks: { name: string; read: () => SdkVersions }[] = [
  { name: 'JS @azure/keyvault-certificates', read: () => jsSdkVersions('@azure/keyvault-certificates', 'certificatesModels') },
  { name: 'JS @azure/keyvault-secrets', read: () => jsSdkVersions('@azure/keyvault-secrets', 'secretsModels') },
  { name: 'Python azure-keyvault-certificates', read: () => pythonSdkVersions(join(DEBIAN_PYTHON_KEYVAULT, 'certificates')) },
  { name: 'Python azure-keyvault-secrets', read: () => pythonSdkVersions(join(DEBIAN_PYTHON_KEYVAULT, 'secrets')) },
  // A certificate's key is used through the keys SDKs (CryptographyClient): their defaults count too.
  { name: 'Python azure-keyvault-keys', read: () => pythonSdkVersions(join(DEBIAN_PYTHON_KEYVAULT, 'keys')) },
  ...[
    { id: 'Azure.Security.KeyVault.Certificates', pinned: '4.10.0' },
    { id: 'Azure.Security.KeyVault.Secrets', pinned: '4.12.0' },
  ].map(({ id, pinned }) => ({
    name: `.NET ${id}`,
    read: () => dotnetSdkVersions(nugetGlobalPackages(), id, referencedNugetVersion(repoRoot, id, pinned)),
  })),
];

function accepts(version: string): boolean {
  try {
    return requireApiVersion(new URLSearchParams({ 'api-version': version })) === version;
  } catch {
    return false;
  }
}

describe.each(sdks)('$name', ({ name, read }) => {
  const sdk = read();
  if (!sdk.found) {
    if (inCi) {
      it('is installed (CI must check every SDK)', () => {
        throw new Error(`${name}: ${sdk.reason}`);
      });
    } else {
      console.warn(`Skipping the api-version check of ${name}: ${sdk.reason}`);
      it.skip(`is installed: ${sdk.reason}`, () => undefined);
    }
    return;
  }

  it(`sends a default api-version the service accepts (${sdk.defaultVersion}, read from ${sdk.where})`, () => {
    expect(accepts(sdk.defaultVersion)).toBe(true);
  });

  it('can be pinned to no version the service refuses', () => {
    expect(sdk.selectable.length).toBeGreaterThan(0);
    expect(sdk.selectable.filter((v) => !accepts(v))).toEqual([]);
  });
});

describe('the api-version table', () => {
  it('names its newest version in the refusal, as Key Vault does', () => {
    expect([...SUPPORTED_API_VERSIONS].sort(compareApiVersions).at(-1)).toBe(LATEST_API_VERSION);
    expect(() => requireApiVersion(new URLSearchParams({ 'api-version': '2099-01-01' }))).toThrow(
      `The specified version (2099-01-01) is not recognized. Consider using the latest supported version (${LATEST_API_VERSION}).`,
    );
  });

  it('accepts the .NET default 2026-04-01, the oldest Python can pin, 2016-10-01, and the one preview an SDK sends by default; refuses other previews and near misses', () => {
    expect(isSupportedApiVersion('2026-04-01')).toBe(true);
    expect(isSupportedApiVersion('2016-10-01')).toBe(true);
    expect(isSupportedApiVersion('7.4-preview.1')).toBe(true);
    for (const refused of ['7.6-preview.2', '7.3-preview', '7.4-preview.2', '7', '7.30', ' 7.3', '2025-07-01-preview', '2015-06-01']) {
      expect(isSupportedApiVersion(refused)).toBe(false);
    }
  });

  it('finds version literals only as whole user strings of an assembly', () => {
    const userString = (s: string) => Buffer.concat([Buffer.from([s.length * 2 + 1]), Buffer.from(s, 'utf16le'), Buffer.from([0])]);
    const heap = Buffer.concat([userString('7.5'), userString('https://x/7.6/'), userString('2026-04-01'), userString('v7.1'), userString('7.6-preview.2')]);
    expect(apiVersionLiteralsOf(heap).sort(compareApiVersions)).toEqual(['7.5', '7.6-preview.2', '2026-04-01']);
  });

  it('orders versions as Key Vault released them', () => {
    const shuffled = ['2026-04-01', '7.10', '7.6', '2016-10-01', '7.6-preview.2', '2025-07-01', '7.0'];
    expect(shuffled.sort(compareApiVersions)).toEqual(['2016-10-01', '7.0', '7.6-preview.2', '7.6', '7.10', '2025-07-01', '2026-04-01']);
  });
});
