import { validityWindow } from '../domain/validity-window';
import { canSignCertificates, caConstraintsOf } from './ca-extensions';
import { issuedChain } from './certificate-chain';
import type { CaConstraints, CertificateProfile } from './certificate-profile';
import { bufferSource } from './bytes';
import { constrainedDnsNames, dnsConstraintViolation } from './dns-name-constraints';
import { keySpecOfPublicKey } from './key-pair';
import { signCertificate } from './sign-certificate';
import { type X509, x509 } from './x509';

/** A private CA held in this service: what it takes to sign with it. */
export interface CertificateAuthority {
  /** The CA's certificate first, then its issuers as held, towards the root: a CA version's `chain`. */
  chainDer: readonly Buffer[];
  /** The CA's key, unsealed by the caller for this one signature. */
  privateKeyPkcs8: Buffer;
}

export interface CaSigningRequest {
  ca: CertificateAuthority;
  /** The request; only its public key is used, once its signature proves the requester holds the key. */
  csrDer: Buffer;
  /** What the certificate says, decided by the policy, never by the CSR's requested extensions. */
  profile: CertificateProfile;
  validityMonths: number;
  now: Date;
}

export interface CaSigned {
  /** The new certificate, then the CA's chain: the order of the secret and of `x5c`. */
  chainDer: Buffer[];
  /** Set when the policy's validity outlasted the CA (or a CA above it): the certificate ends with it instead. */
  notAfterClamped?: { requested: Date; issued: Date };
  /** Set when a CA policy asked for a longer path (or none) than the CAs above it allow. */
  pathLengthClamped?: { requested: number | undefined; issued: number };
}

/**
 * Why a CA did not sign. `request`: the CSR or the policy asks what this CA cannot give (a bad signature,
 * a name outside its constraints, a CA below a path length of 0): Key Vault's "rejected request".
 * `authority`: the CA itself cannot sign (not a CA, expired, not yet valid, a key we cannot use): an
 * issuer error. The message is meant for the user who owns the CA and the request.
 */
export class CaSigningError extends Error {
  override readonly name = 'CaSigningError';
  constructor(
    readonly fault: 'request' | 'authority',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Signs a CSR with a private CA under a policy's profile: a random 128-bit serial, AKI = the CA's SKI,
 * CA:false for a leaf, an intermediate when the profile is a CA's. The CA's own rules (basic constraints,
 * key usage, validity, path length and DNS name constraints, of the CA and every CA above it) are
 * enforced here, so a certificate this returns is one a verifier will accept below that CA.
 */
export async function signCsrWithCa(request: CaSigningRequest): Promise<CaSigned> {
  const { ca, now } = request;
  const authorities = parseAuthorities(ca.chainDer);
  assertCanSign(authorities, now);
  const subjectPublicKeySpki = await verifiedRequestKey(request.csrDer);

  const { profile, pathLengthClamped } = withinPathLength(request.profile, authorities);
  assertWithinNameConstraints(profile, authorities);

  const window = validityWindow(now, request.validityMonths);
  const caNotAfter = new Date(Math.min(...authorities.map((a) => a.cert.notAfter.getTime())));
  const clamped = window.notAfter > caNotAfter;
  const notAfter = clamped ? caNotAfter : window.notAfter;
  // Never before the CA itself: a back-dated start would claim the CA vouched before it existed.
  const issuer = authorities[0] as Authority;
  const notBefore = window.notBefore < issuer.cert.notBefore ? issuer.cert.notBefore : window.notBefore;

  const issuerSpec = keySpecOfPublicKey(Buffer.from(issuer.cert.publicKey.rawData));
  if (!issuerSpec) throw new CaSigningError('authority', `The key of CA '${issuer.cert.subject}' is not a kind this service signs with.`);

  let der: Buffer;
  try {
    der = await signCertificate({
      subjectPublicKeySpki,
      profile,
      notBefore,
      notAfter,
      signer: { privateKeyPkcs8: ca.privateKeyPkcs8, spec: issuerSpec, certificateDer: issuer.der },
    });
  } catch (error) {
    if (error instanceof Error && /does not belong|was expected/.test(error.message)) {
      throw new CaSigningError('authority', `The key held for CA '${issuer.cert.subject}' does not match its certificate.`);
    }
    throw error;
  }
  return {
    chainDer: issuedChain(der, ca.chainDer),
    ...(clamped ? { notAfterClamped: { requested: window.notAfter, issued: notAfter } } : {}),
    ...(pathLengthClamped ? { pathLengthClamped } : {}),
  };
}

interface Authority {
  der: Buffer;
  cert: X509.X509Certificate;
  /** Undefined when the certificate is not a CA. */
  constraints: CaConstraints | undefined;
}

function parseAuthorities(chainDer: readonly Buffer[]): Authority[] {
  if (chainDer.length === 0) throw new CaSigningError('authority', 'The CA has no certificate.');
  return chainDer.map((der) => {
    let cert: X509.X509Certificate;
    try {
      cert = new (x509().X509Certificate)(bufferSource(der));
    } catch {
      throw new CaSigningError('authority', "The CA's chain holds data that is not an X.509 certificate.");
    }
    return { der, cert, constraints: caConstraintsOf(cert) };
  });
}

/** The CA must be a CA allowed to sign certificates, and it and every CA above it valid now. */
function assertCanSign(authorities: Authority[], now: Date): void {
  const [issuer] = authorities as [Authority];
  const name = issuer.cert.subject;
  if (!issuer.constraints) {
    throw new CaSigningError('authority', `The certificate '${name}' is not a CA: it lacks basic constraints CA:true.`);
  }
  if (!canSignCertificates(issuer.cert)) {
    throw new CaSigningError('authority', `The CA '${name}' may not sign certificates: its key usage lacks keyCertSign.`);
  }
  for (const { cert } of authorities) {
    const which = cert === issuer.cert ? `The CA '${name}'` : `The CA '${cert.subject}' above '${name}'`;
    if (now < cert.notBefore) throw new CaSigningError('authority', `${which} is not valid before ${cert.notBefore.toISOString()}.`);
    if (now > cert.notAfter) throw new CaSigningError('authority', `${which} expired on ${cert.notAfter.toISOString()}.`);
  }
}

async function verifiedRequestKey(csrDer: Buffer): Promise<Buffer> {
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new (x509().Pkcs10CertificateRequest)(bufferSource(csrDer));
  } catch {
    throw new CaSigningError('request', 'The certificate signing request is not a valid PKCS#10 request.');
  }
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new CaSigningError('request', 'The certificate signing request is not signed by the key it carries: its signature does not verify.');
  }
  return Buffer.from(csr.publicKey.rawData);
}

/**
 * RFC 5280 4.2.1.9: a CA with path length n may have at most n intermediates below it. A CA the chain
 * holds at depth d (0 = the signing CA) leaves room for n - d - 1 more below the new one; a new CA gets at
 * most the least of those, and none at all is room for leaves only.
 */
function withinPathLength(
  profile: CertificateProfile,
  authorities: Authority[],
): { profile: CertificateProfile; pathLengthClamped?: CaSigned['pathLengthClamped'] } {
  if (!profile.ca) return { profile };
  let room = Number.POSITIVE_INFINITY;
  let limitedBy = '';
  authorities.forEach(({ cert, constraints }, depth) => {
    const pathLength = constraints?.pathLength;
    if (pathLength !== undefined && pathLength - depth - 1 < room) {
      room = pathLength - depth - 1;
      limitedBy = cert.subject;
    }
  });
  if (room < 0) {
    throw new CaSigningError(
      'request',
      `The CA '${limitedBy}' allows no further intermediate CA below '${(authorities[0] as Authority).cert.subject}' (path length): it cannot issue a CA certificate (key usage keyCertSign); only end-entity certificates.`,
    );
  }
  const requested = profile.ca.pathLength;
  if (room === Number.POSITIVE_INFINITY || (requested !== undefined && requested <= room)) return { profile };
  return { profile: { ...profile, ca: { ...profile.ca, pathLength: room } }, pathLengthClamped: { requested, issued: room } };
}

function assertWithinNameConstraints(profile: CertificateProfile, authorities: Authority[]): void {
  const names = constrainedDnsNames(profile);
  for (const { cert, constraints } of authorities) {
    const violation = constraints && dnsConstraintViolation(names, constraints);
    if (violation) throw new CaSigningError('request', `The CA '${cert.subject}' cannot issue this certificate: ${violation}.`);
  }
}
