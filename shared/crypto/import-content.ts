import { createPrivateKey } from 'node:crypto';
import { type ParsedCertificate, findLeafForKey, orderLeafFirst, tryParseCertificate } from './certificate-chain';
import { publicKeyFromPrivate } from './key-pair';
import { Pkcs12Error, readPkcs12 } from './pkcs12-read';

/**
 * The `value` of POST /certificates/{name}/import, read as Key Vault reads it: the format is sniffed from the
 * content, not taken from the policy (the JS SDK never sends a policy on import).
 * - PEM text (`-----BEGIN …`): the JS and Python SDKs send the file's text as it is;
 * - base64 of PEM text: what a client that base64-encodes any bytes sends for a .pem file (.NET);
 * - base64 of a PFX (PKCS#12), opened with `pwd` (absent means the empty password).
 */

export type ImportFormat = 'pem' | 'pfx';

export interface ImportedMaterial {
  format: ImportFormat;
  privateKeyPkcs8: Buffer;
  publicKeySpki: Buffer;
  /** The certificate for the key first, then the rest leaf-to-root (or as given, with `preserveOrder`). */
  chain: ParsedCertificate[];
}

/** What the caller sent cannot be imported; the message says why and is mapped to 400 BadParameter. */
export class ImportContentError extends Error {
  override readonly name = 'ImportContentError';
}

const PEM_BEGIN = '-----BEGIN ';
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** The format of `value`, and the bytes (PFX) or text (PEM) to read. */
export function detectImportFormat(value: string): { format: 'pem'; text: string } | { format: 'pfx'; der: Buffer } {
  const trimmed = value.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith(PEM_BEGIN)) return { format: 'pem', text: trimmed };
  if (trimmed === '' || !BASE64.test(trimmed)) {
    throw new ImportContentError('The certificate value is neither PEM text nor base64 (of a PFX or of PEM text)');
  }
  const bytes = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
  const asText = bytes.subarray(0, 64).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (asText.startsWith(PEM_BEGIN)) return { format: 'pem', text: bytes.toString('utf8') };
  return { format: 'pfx', der: bytes };
}

export function readImportContent(value: string, password: string | undefined, preserveOrder = false): ImportedMaterial {
  const detected = detectImportFormat(value);
  const { privateKeyPkcs8, certificates } =
    detected.format === 'pem' ? readPem(detected.text, password) : readPfx(detected.der, password ?? '');
  if (certificates.length === 0) {
    throw new ImportContentError(`The ${detected.format.toUpperCase()} content has no certificate`);
  }
  if (!privateKeyPkcs8) {
    throw new ImportContentError(
      `The ${detected.format.toUpperCase()} content has no private key; import needs the certificate together with its private key`,
    );
  }
  let publicKeySpki: Buffer;
  try {
    publicKeySpki = publicKeyFromPrivate(privateKeyPkcs8);
  } catch {
    throw new ImportContentError(`The private key in the ${detected.format.toUpperCase()} content cannot be read`);
  }
  const leaf = findLeafForKey(certificates, publicKeySpki);
  if (!leaf) {
    throw new ImportContentError('The private key does not match the certificate: no certificate in the content has its public key');
  }
  const rest = (preserveOrder ? certificates : orderLeafFirst(certificates, leaf)).filter((c) => c !== leaf);
  return { format: detected.format, privateKeyPkcs8, publicKeySpki, chain: [leaf, ...rest] };
}

interface KeyAndCertificates {
  privateKeyPkcs8?: Buffer;
  certificates: ParsedCertificate[];
}

function readPfx(der: Buffer, password: string): KeyAndCertificates {
  let contents;
  try {
    contents = readPkcs12(der, password);
  } catch (error) {
    if (error instanceof Pkcs12Error) throw new ImportContentError(error.message);
    throw error;
  }
  const certificates = contents.certificatesDer.map((certificateDer, i) => {
    const parsed = tryParseCertificate(certificateDer);
    if (!parsed) throw new ImportContentError(`The PFX content's certificate ${i + 1} is not a valid X.509 certificate`);
    return parsed;
  });
  return { ...(contents.privateKeyPkcs8 ? { privateKeyPkcs8: normalizedPkcs8(contents.privateKeyPkcs8, 'der') } : {}), certificates };
}

/** Text outside the blocks is ignored, as OpenSSL does (Bag Attributes lines, comments). */
function readPem(text: string, password: string | undefined): KeyAndCertificates {
  const certificates: ParsedCertificate[] = [];
  let privateKeyPkcs8: Buffer | undefined;
  for (const [i, [block, label = '', body = '']] of [...text.matchAll(PEM_BLOCK)].entries()) {
    if (CERTIFICATE_LABELS.has(label)) {
      const parsed = tryParseCertificate(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
      if (!parsed) throw new ImportContentError(`PEM block ${i + 1} (${label}) is not a valid X.509 certificate`);
      certificates.push(parsed);
    } else if (KEY_LABELS.has(label)) {
      if (privateKeyPkcs8) throw new ImportContentError('The PEM content has more than one private key');
      privateKeyPkcs8 = normalizedPkcs8(block, 'pem', password);
    }
  }
  return { ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}), certificates };
}

/** PKCS#8 DER of a key in any form OpenSSL reads (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8 with `pwd`). */
function normalizedPkcs8(key: Buffer | string, format: 'der' | 'pem', password?: string): Buffer {
  try {
    const privateKey =
      format === 'der'
        ? createPrivateKey({ key: key as Buffer, format: 'der', type: 'pkcs8' })
        : createPrivateKey({ key: key as string, format: 'pem', ...(password !== undefined ? { passphrase: password } : {}) });
    return privateKey.export({ format: 'der', type: 'pkcs8' });
  } catch {
    throw new ImportContentError(
      format === 'pem'
        ? 'The private key in the PEM content cannot be read (an encrypted key needs its password in pwd)'
        : 'The private key in the PFX content cannot be read',
    );
  }
}
