import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';

/** What a user's tooling finds in a certificate's secret: the certificates, and whether the key matches. */
export interface SecretContents {
  certificates: X509Certificate[];
  hasPrivateKey: boolean;
  keyMatchesLeaf: boolean;
}

function splitPem(pem: string): { keys: string[]; certificates: string[] } {
  const blocks = pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  return {
    keys: blocks.filter((b) => b.includes('PRIVATE KEY')),
    certificates: blocks.filter((b) => b.startsWith('-----BEGIN CERTIFICATE-----')),
  };
}

function contentsOfPem(pem: string): SecretContents {
  const { keys, certificates } = splitPem(pem);
  const parsed = certificates.map((c) => new X509Certificate(c));
  const leaf = parsed[0];
  const key = keys[0] ? createPrivateKey(keys[0]) : undefined;
  return { certificates: parsed, hasPrivateKey: key !== undefined, keyMatchesLeaf: !!(leaf && key && leaf.checkPrivateKey(key)) };
}

export function readPemSecret(value: string): SecretContents {
  return contentsOfPem(value);
}

/**
 * Opens a PFX the way users do: OpenSSL with an empty password (what Key Vault exports), and Node's TLS
 * stack (which refuses a PFX whose key does not match its certificate).
 */
export function readPfxSecret(base64: string): SecretContents {
  const dir = mkdtempSync(join(tmpdir(), 'pfx-'));
  try {
    const file = join(dir, 'secret.pfx');
    writeFileSync(file, Buffer.from(base64, 'base64'));
    const pem = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:', '-nodes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const contents = contentsOfPem(pem);
    if (contents.hasPrivateKey) createSecureContext({ pfx: Buffer.from(base64, 'base64'), passphrase: '' });
    return contents;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The SPKI of a base64 PKCS#10 CSR's key, compared as DER. */
export function samePublicKey(a: X509Certificate, spkiDer: Buffer): boolean {
  return a.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }));
}
