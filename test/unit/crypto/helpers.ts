import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptySans, type CertificateProfile } from '../../../shared/crypto/certificate-profile';
import { generateKeyPair, type KeyPairDer } from '../../../shared/crypto/key-pair';
import { describeKeySpec, type KeySpec } from '../../../shared/crypto/key-spec';

/** Every key kind except RSA-4096, which is slow enough to get a single test of its own. */
export const FAST_SPECS: KeySpec[] = [
  { kty: 'RSA', keySize: 2048 },
  { kty: 'RSA', keySize: 3072 },
  { kty: 'EC', curve: 'P-256' },
  { kty: 'EC', curve: 'P-384' },
  { kty: 'EC', curve: 'P-521' },
  { kty: 'EC', curve: 'P-256K' },
];

/** What OpenSSL prints as the signature algorithm for a signer of each kind. */
export const EXPECTED_SIGNATURE: Record<string, string> = {
  'RSA 2048': 'sha256WithRSAEncryption',
  'RSA 3072': 'sha256WithRSAEncryption',
  'EC P-256': 'ecdsa-with-SHA256',
  'EC P-384': 'ecdsa-with-SHA384',
  'EC P-521': 'ecdsa-with-SHA512',
  'EC P-256K': 'ecdsa-with-SHA256',
};

export const RSA_4096: KeySpec = { kty: 'RSA', keySize: 4096 };

export const label = (spec: KeySpec): string => describeKeySpec(spec);

/**
 * One key pair per kind per test file: generation, not the code under test, would dominate run time. RSA keys
 * come from test/fixtures/keys (made once with `openssl genpkey`, used by no deployment): generating them costs
 * 0.2 s to 1.3 s of CPU each, in every file, and these tests are about what is done with a key, not about making
 * one (key-pair.test.ts generates every kind with the product's own code).
 */
const keyCache = new Map<string, Promise<KeyPairDer>>();
export function keyPairFor(spec: KeySpec): Promise<KeyPairDer> {
  const key = describeKeySpec(spec);
  let pair = keyCache.get(key);
  if (!pair) {
    pair = spec.kty === 'RSA' ? Promise.resolve(fixtureRsaKey(spec.keySize)) : generateKeyPair(spec);
    keyCache.set(key, pair);
  }
  return pair;
}

function fixtureRsaKey(bits: number): KeyPairDer {
  const privateKey = createPrivateKey(readFileSync(join(__dirname, '..', '..', 'fixtures', 'keys', `test-only-rsa-${bits}.pem`)));
  return {
    privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
    publicKeySpki: createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
  };
}

export const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2027-01-01T00:00:00Z');
/** A moment inside [NOT_BEFORE, NOT_AFTER], for `openssl verify -attime`. */
export const INSIDE_VALIDITY = String(Date.UTC(2026, 0, 1) / 1000);

export function profile(overrides: Partial<CertificateProfile> = {}): CertificateProfile {
  return { subject: 'CN=test.example.com', sans: emptySans(), ekus: [], keyUsage: [], ...overrides };
}

/** Runs the openssl CLI on files in a scratch directory; throws with stderr when it fails. */
export class OpenSsl {
  private readonly dir = mkdtempSync(join(tmpdir(), 'crypto-test-'));
  private counter = 0;

  file(contents: Buffer | string, name = `f${this.counter++}`): string {
    const path = join(this.dir, name);
    writeFileSync(path, contents);
    return path;
  }

  run(args: string[]): string {
    try {
      return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`openssl ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
  }

  /** For commands that report on stderr (e.g. `pkcs12 -info`): stdout and stderr together. */
  runReporting(args: string[]): string {
    const result = spawnSync('openssl', args, { encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${output}`);
    return output;
  }

  certText(der: Buffer): string {
    return this.run(['x509', '-inform', 'DER', '-in', this.file(der), '-noout', '-text']);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function derToPem(label: string, der: Buffer): string {
  const body = der.toString('base64').match(/.{1,64}/g)?.join('\n') ?? '';
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
