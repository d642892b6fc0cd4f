import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emptySans, type CertificateProfile } from '../../shared/crypto/certificate-profile';
import { openPrivateKey, sealPrivateKey } from '../../shared/crypto/key-encryption';
import { generateKeyPair, type KeyPairDer } from '../../shared/crypto/key-pair';
import type { KeySpec } from '../../shared/crypto/key-spec';
import { signCertificate } from '../../shared/crypto/sign-certificate';
import { systemClock, type Clock } from '../../shared/domain/clock';

/**
 * The development CA behind `npm start`'s HTTPS: a long-lived self-signed root and a short-lived TLS
 * certificate for this machine's loopback names, both issued with the service's own certificate code.
 * Users trust the root once (`ca.pem`, a stable path); the TLS certificate under it renews by itself.
 *
 * The private keys are sealed with the key-encryption key like every other key of the app, so the
 * directory holds no plaintext key. The leaf's key is opened into memory for Node's TLS only.
 */

/** EC P-256 with ECDSA-SHA256: every TLS client accepts it (OpenSSL, .NET on Linux, Python, curl), and it takes milliseconds to make. */
const KEY_SPEC: KeySpec = { kty: 'EC', curve: 'P-256' };
const DAY_MS = 86_400_000;
const CA_VALIDITY_DAYS = 3650;
/** Well inside the 397 days browsers and Apple clients accept for a TLS server certificate. */
export const TLS_VALIDITY_DAYS = 90;
/** A TLS certificate closer than this to its end is re-issued (at start, or by the host's daily re-check). */
export const TLS_RENEW_WITHIN_DAYS = 30;
/** Against clocks a little behind ours (a VM, a container): a certificate "not yet valid" fails as hard as an expired one. */
const BACKDATE_MS = 3_600_000;

/** The names clients use for this machine; the TLS certificate must match each of them. */
const LOCALHOST_DNS_NAMES: readonly string[] = ['localhost'];
const LOCALHOST_IP_ADDRESSES: readonly string[] = ['127.0.0.1', '::1'];
const SERVER_AUTH_EKU = '1.3.6.1.5.5.7.3.1';

/** Associated data of the sealed keys: a key file copied over the other will not open. */
const CA_KEY_OWNER = 'local-host/dev-ca/ca';
const TLS_KEY_OWNER = 'local-host/dev-ca/localhost';

export interface DevCaFiles {
  /** The CA certificate (PEM): the file clients trust. */
  caCertificate: string;
  caKey: string;
  tlsCertificate: string;
  tlsKey: string;
}

export function devCaFiles(dir: string): DevCaFiles {
  return {
    caCertificate: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.sealed'),
    tlsCertificate: path.join(dir, 'localhost.pem'),
    tlsKey: path.join(dir, 'localhost-key.sealed'),
  };
}

export interface DevTlsOptions {
  /** Where the CA and the TLS certificate live, e.g. `.local/dev-ca`. */
  dir: string;
  keyEncryptionKey: Buffer;
  clock?: Clock;
  log?: (line: string) => void;
}

export interface DevTlsCredentials {
  /** The TLS certificate's private key, PKCS#8 PEM, for Node's TLS only (never log it). */
  key: string;
  /** The TLS certificate, PEM. */
  cert: string;
  /** The file clients trust (the CA certificate, PEM). */
  caCertificateFile: string;
  notAfter: Date;
  /** What this call did: `replaced` means the old CA was unusable and clients must trust the new one. */
  ca: 'kept' | 'created' | 'replaced';
  tls: 'kept' | 'issued';
}

interface LoadedCa {
  certificate: X509Certificate;
  der: Buffer;
  privateKeyPkcs8: Buffer;
}

/**
 * Returns a TLS certificate for localhost that chains to the development CA, making the CA and the
 * certificate when they are missing, unusable or (the certificate) close to expiry. Idempotent: a call
 * with nothing to do reads the files and returns what is there.
 */
export async function ensureDevTlsCredentials(options: DevTlsOptions): Promise<DevTlsCredentials> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const files = devCaFiles(options.dir);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });

  const now = clock();
  const existingCa = await loadCa(files, options.keyEncryptionKey, now);
  let ca: LoadedCa;
  let caOutcome: DevTlsCredentials['ca'];
  if (existingCa.kind === 'usable') {
    ca = existingCa.ca;
    caOutcome = 'kept';
  } else {
    ca = await createCa(files, options.keyEncryptionKey, now);
    if (existingCa.kind === 'missing') {
      caOutcome = 'created';
      log(`Created a development CA for HTTPS: ${files.caCertificate} (HTTPS clients must trust this file).`);
    } else {
      caOutcome = 'replaced';
      log(
        `The development CA in ${options.dir} cannot be used: ${existingCa.reason}. Made a new one; ` +
          `HTTPS clients that trusted the old CA must trust the new ${files.caCertificate} (restart them, or re-import it where it was imported).`,
      );
    }
  }

  const existingTls = caOutcome === 'kept' ? await loadTls(files, options.keyEncryptionKey, ca, now) : undefined;
  if (existingTls?.kind === 'usable') {
    return { ...existingTls.credentials, caCertificateFile: files.caCertificate, ca: caOutcome, tls: 'kept' };
  }
  const issued = await issueTls(files, options.keyEncryptionKey, ca, now);
  const why = existingTls?.kind === 'unusable' ? ` (${existingTls.reason})` : '';
  log(`Issued the HTTPS certificate for ${describeNames()}${why}, valid until ${issued.notAfter.toISOString()}.`);
  return { ...issued, caCertificateFile: files.caCertificate, ca: caOutcome, tls: 'issued' };
}

type Loaded<T> = { kind: 'usable'; ca: T } | { kind: 'missing' } | { kind: 'unusable'; reason: string };

async function loadCa(files: DevCaFiles, kek: Buffer, now: Date): Promise<Loaded<LoadedCa>> {
  const [pem, sealed] = await Promise.all([readOptional(files.caCertificate), readOptional(files.caKey)]);
  if (pem === undefined && sealed === undefined) return { kind: 'missing' };
  if (pem === undefined) return { kind: 'unusable', reason: `${path.basename(files.caCertificate)} is missing` };
  if (sealed === undefined) return { kind: 'unusable', reason: `${path.basename(files.caKey)} is missing` };

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return { kind: 'unusable', reason: `${path.basename(files.caCertificate)} is not a PEM certificate` };
  }
  if (!certificate.ca) return { kind: 'unusable', reason: 'its certificate is not a CA certificate' };
  if (new Date(certificate.validTo).getTime() - now.getTime() < TLS_RENEW_WITHIN_DAYS * DAY_MS) {
    return { kind: 'unusable', reason: `it expires on ${new Date(certificate.validTo).toISOString()}` };
  }
  let privateKeyPkcs8: Buffer;
  try {
    privateKeyPkcs8 = openPrivateKey(kek, sealed.trim(), CA_KEY_OWNER);
  } catch {
    return { kind: 'unusable', reason: 'its private key does not open with the current key-encryption key (KEY_ENCRYPTION_KEY changed?)' };
  }
  if (!keyBelongsTo(certificate, privateKeyPkcs8)) return { kind: 'unusable', reason: 'its private key does not match its certificate' };
  return { kind: 'usable', ca: { certificate, der: certificate.raw, privateKeyPkcs8 } };
}

type TlsFromFiles = Omit<DevTlsCredentials, 'caCertificateFile' | 'ca' | 'tls'>;

async function loadTls(
  files: DevCaFiles,
  kek: Buffer,
  ca: LoadedCa,
  now: Date,
): Promise<{ kind: 'usable'; credentials: TlsFromFiles } | { kind: 'missing' } | { kind: 'unusable'; reason: string }> {
  const [pem, sealed] = await Promise.all([readOptional(files.tlsCertificate), readOptional(files.tlsKey)]);
  if (pem === undefined || sealed === undefined) return { kind: 'missing' };
  let certificate: X509Certificate;
  let privateKeyPkcs8: Buffer;
  try {
    certificate = new X509Certificate(pem);
    privateKeyPkcs8 = openPrivateKey(kek, sealed.trim(), TLS_KEY_OWNER);
  } catch {
    return { kind: 'unusable', reason: 'the previous one could not be read' };
  }
  const reason = tlsProblem(certificate, ca.certificate, privateKeyPkcs8, now);
  if (reason) return { kind: 'unusable', reason };
  return { kind: 'usable', credentials: { key: pkcs8Pem(privateKeyPkcs8), cert: pem, notAfter: new Date(certificate.validTo) } };
}

/** Why a stored TLS certificate must be re-issued, checked the way a client would check it; undefined if it is fine. */
function tlsProblem(certificate: X509Certificate, ca: X509Certificate, privateKeyPkcs8: Buffer, now: Date): string | undefined {
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) return 'the previous one was issued by another CA';
  if (!keyBelongsTo(certificate, privateKeyPkcs8)) return 'the previous one does not match its private key';
  const names = [...LOCALHOST_DNS_NAMES.map((dns) => certificate.checkHost(dns)), ...LOCALHOST_IP_ADDRESSES.map((ip) => certificate.checkIP(ip))];
  if (names.some((match) => match === undefined)) return `the previous one does not name all of ${describeNames()}`;
  if (!(certificate.keyUsage ?? []).includes(SERVER_AUTH_EKU)) return 'the previous one is not for TLS servers';
  if (new Date(certificate.validFrom).getTime() > now.getTime()) return 'the previous one is not valid yet';
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() - now.getTime() < TLS_RENEW_WITHIN_DAYS * DAY_MS) {
    return notAfter.getTime() <= now.getTime() ? 'the previous one expired' : `the previous one expires on ${notAfter.toISOString()}`;
  }
  return undefined;
}

async function createCa(files: DevCaFiles, kek: Buffer, now: Date): Promise<LoadedCa> {
  const keys = await generateKeyPair(KEY_SPEC);
  // A distinct name per CA, so a user who trusted several over time can tell them apart in a trust store.
  const id = randomBytes(4).toString('hex');
  const der = await signCertificate({
    subjectPublicKeySpki: keys.publicKeySpki,
    profile: { subject: `CN=Certificate Service Development CA ${id}, O=Local development`, sans: emptySans(), ekus: [], keyUsage: ['keyCertSign', 'cRLSign'] },
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec: KEY_SPEC },
    isCa: true,
  });
  const certificate = new X509Certificate(der);
  // Key first: a crash between the two writes leaves a certificate without its key, which the next start replaces.
  await writePrivateFile(files.caKey, `${sealPrivateKey(kek, keys.privateKeyPkcs8, CA_KEY_OWNER)}\n`);
  await writePrivateFile(files.caCertificate, certificate.toString());
  return { certificate, der, privateKeyPkcs8: keys.privateKeyPkcs8 };
}

async function issueTls(files: DevCaFiles, kek: Buffer, ca: LoadedCa, now: Date): Promise<TlsFromFiles> {
  const keys: KeyPairDer = await generateKeyPair(KEY_SPEC);
  const profile: CertificateProfile = {
    subject: 'CN=localhost',
    sans: { ...emptySans(), dnsNames: [...LOCALHOST_DNS_NAMES], ipAddresses: [...LOCALHOST_IP_ADDRESSES] },
    ekus: [SERVER_AUTH_EKU],
    // ECDSA signs the handshake; keyEncipherment would only apply to an RSA key.
    keyUsage: ['digitalSignature'],
  };
  // Never past the CA: a client rejects a certificate that outlives its issuer's validity in some stacks.
  const notAfter = new Date(Math.min(now.getTime() + TLS_VALIDITY_DAYS * DAY_MS, new Date(ca.certificate.validTo).getTime()));
  const der = await signCertificate({
    subjectPublicKeySpki: keys.publicKeySpki,
    profile,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    signer: { privateKeyPkcs8: ca.privateKeyPkcs8, spec: KEY_SPEC, certificateDer: ca.der },
  });
  const cert = new X509Certificate(der).toString();
  await writePrivateFile(files.tlsKey, `${sealPrivateKey(kek, keys.privateKeyPkcs8, TLS_KEY_OWNER)}\n`);
  await writePrivateFile(files.tlsCertificate, cert);
  return { key: pkcs8Pem(keys.privateKeyPkcs8), cert, notAfter: new Date(new X509Certificate(der).validTo) };
}

function describeNames(): string {
  return [...LOCALHOST_DNS_NAMES, ...LOCALHOST_IP_ADDRESSES].join(', ');
}

function keyBelongsTo(certificate: X509Certificate, privateKeyPkcs8: Buffer): boolean {
  try {
    return certificate.checkPrivateKey(createPrivateKey({ key: privateKeyPkcs8, format: 'der', type: 'pkcs8' }));
  } catch {
    return false;
  }
}

function pkcs8Pem(privateKeyPkcs8: Buffer): string {
  return createPrivateKey({ key: privateKeyPkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Owner-only, and whole or not at all: a reader never sees half a file. */
async function writePrivateFile(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, file);
}
