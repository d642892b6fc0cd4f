import { encodePkcs12 } from './pkcs12';

/** The two shapes in which Key Vault hands a certificate's secret to clients. */

export interface SecretMaterial {
  privateKeyPkcs8?: Buffer;
  /** Leaf first. */
  certificatesDer: Buffer[];
}

/**
 * application/x-pkcs12: a PFX with an empty password, as Key Vault exports it; the key bag is omitted
 * when there is no private key (e.g. a non-exportable key).
 */
export async function buildPfx(input: SecretMaterial): Promise<Buffer> {
  return encodePkcs12({ ...input, password: '' });
}

/** application/x-pem-file: PKCS#8 key (when present), then each certificate, leaf first. */
export function buildPem(input: SecretMaterial): string {
  const blocks = input.privateKeyPkcs8 ? [pemBlock('PRIVATE KEY', input.privateKeyPkcs8)] : [];
  for (const der of input.certificatesDer) blocks.push(pemBlock('CERTIFICATE', der));
  return blocks.join('');
}

function pemBlock(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
