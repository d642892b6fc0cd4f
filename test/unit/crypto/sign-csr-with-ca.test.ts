import { bufferSource } from '../../../shared/crypto/bytes';
import { unconstrainedCa, type CaConstraints, type CertificateProfile } from '../../../shared/crypto/certificate-profile';
import { createCsr } from '../../../shared/crypto/csr';
import { generateKeyPair, type KeyPairDer } from '../../../shared/crypto/key-pair';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { signCertificate } from '../../../shared/crypto/sign-certificate';
import { CaSigningError, signCsrWithCa, type CaSigned, type CertificateAuthority } from '../../../shared/crypto/sign-csr-with-ca';
import { type X509, x509 as peculiarX509 } from '../../../shared/crypto/x509';
import { rejectionOf } from '../../helpers/rejection';
import { EXPECTED_SIGNATURE, FAST_SPECS, NOT_AFTER, NOT_BEFORE, OpenSsl, RSA_4096, derToPem, keyPairFor, label, profile } from './helpers';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

/** Inside the CAs' validity (2025-01-01 .. 2027-01-01); leaves get 12 months from here unless a test says otherwise. */
const NOW = new Date('2025-06-01T00:00:00Z');
const VERIFY_AT = String(Date.UTC(2025, 8, 1) / 1000);
const LEAF_SPEC: KeySpec = { kty: 'EC', curve: 'P-256' };
const CA_USAGES: CertificateProfile['keyUsage'] = ['keyCertSign', 'cRLSign'];

const SERVER: CertificateProfile = profile({
  subject: 'CN=api.corp.example.com, O=Corp',
  sans: { dnsNames: ['api.corp.example.com'], emails: [], upns: [], uris: [], ipAddresses: [] },
  ekus: ['1.3.6.1.5.5.7.3.1'],
  keyUsage: ['digitalSignature'],
});

let leafKey: KeyPairDer;
beforeAll(async () => {
  leafKey = await generateKeyPair(LEAF_SPEC);
});

interface HeldCa extends CertificateAuthority {
  spec: KeySpec;
}

/** A root made the way `Self` makes one: self-signed, CA:true from keyCertSign, with the given constraints. */
async function rootCa(
  spec: KeySpec,
  ca: CaConstraints = unconstrainedCa(),
  validity: { notBefore: Date; notAfter: Date } = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
  subject = 'CN=Corp Root CA, O=Corp',
): Promise<HeldCa> {
  const keys = await keyPairFor(spec);
  const der = await signCertificate({
    subjectPublicKeySpki: keys.publicKeySpki,
    profile: profile({ subject, keyUsage: CA_USAGES, ca }),
    ...validity,
    signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec },
  });
  return { chainDer: [der], privateKeyPkcs8: keys.privateKeyPkcs8, spec };
}

/** A CSR as the service makes one; its requested extensions say what `requested` says. */
function csrOf(keys: KeyPairDer, spec: KeySpec, requested: CertificateProfile = SERVER): Promise<Buffer> {
  return createCsr(keys, spec, requested);
}

async function issue(ca: CertificateAuthority, issued: CertificateProfile = SERVER, options: { months?: number; now?: Date; csr?: Buffer } = {}): Promise<CaSigned> {
  return signCsrWithCa({
    ca,
    csrDer: options.csr ?? (await csrOf(leafKey, LEAF_SPEC)),
    profile: issued,
    validityMonths: options.months ?? 12,
    now: options.now ?? NOW,
  });
}

/** An intermediate CA issued by `parent` through the same path as a leaf, holding its chain as a CA version would. */
async function intermediateCa(parent: CertificateAuthority, spec: KeySpec, ca: CaConstraints = unconstrainedCa()): Promise<HeldCa & { signed: CaSigned }> {
  const keys = await generateKeyPair(spec);
  const caProfile = profile({ subject: 'CN=Corp Issuing CA, O=Corp', keyUsage: CA_USAGES, ca });
  const signed = await issue(parent, caProfile, { csr: await csrOf(keys, spec, caProfile) });
  return { chainDer: signed.chainDer, privateKeyPkcs8: keys.privateKeyPkcs8, spec, signed };
}

const pem = (der: Buffer): string => openssl.file(derToPem('CERTIFICATE', der));

/** `openssl verify -CAfile root -untrusted intermediates leaf` on a chain leaf first, root last. */
function opensslVerify(chain: Buffer[], purpose = 'sslserver'): string {
  const root = chain[chain.length - 1] as Buffer;
  const intermediates = chain.slice(1, -1);
  const args = ['verify', '-attime', VERIFY_AT, '-purpose', purpose, '-CAfile', pem(root)];
  if (intermediates.length > 0) args.push('-untrusted', openssl.file(intermediates.map((c) => derToPem('CERTIFICATE', c)).join('')));
  return openssl.run([...args, pem(chain[0] as Buffer)]).trim();
}

function parse(der: Buffer | undefined): X509.X509Certificate {
  return new x509.X509Certificate(bufferSource(der as Buffer));
}

const refusal = (promise: Promise<unknown>): Promise<CaSigningError> => rejectionOf(promise, CaSigningError);

describe('signCsrWithCa: root to leaf', () => {
  it.each(FAST_SPECS.map((spec) => [label(spec), spec] as const))(
    '%s CA: signs with the signature its key makes, and OpenSSL verifies the leaf against the root',
    async (name, spec) => {
      const ca = await rootCa(spec);
      const signed = await issue(ca);

      expect(signed.chainDer).toHaveLength(2);
      expect(signed.chainDer[1]).toEqual(ca.chainDer[0]);
      const text = openssl.certText(signed.chainDer[0] as Buffer);
      expect(text).toContain(`Signature Algorithm: ${EXPECTED_SIGNATURE[name]}`);
      expect(opensslVerify(signed.chainDer)).toMatch(/: OK$/);
    },
  );

  it('RSA 4096 CA: OpenSSL verifies the leaf', async () => {
    const signed = await issue(await rootCa(RSA_4096));
    expect(openssl.certText(signed.chainDer[0] as Buffer)).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(opensslVerify(signed.chainDer)).toMatch(/: OK$/);
  }, 60_000);

  it("takes the key from the CSR and everything else from the policy, whatever the CSR asks", async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-384' });
    const greedy = profile({
      subject: 'CN=evil.example.org',
      sans: { dnsNames: ['evil.example.org'], emails: [], upns: [], uris: [], ipAddresses: [] },
      keyUsage: ['keyCertSign', 'digitalSignature'],
      ca: unconstrainedCa(),
    });
    const signed = await issue(ca, SERVER, { csr: await csrOf(leafKey, LEAF_SPEC, greedy) });
    const leaf = parse(signed.chainDer[0]);

    expect(Buffer.from(leaf.publicKey.rawData)).toEqual(leafKey.publicKeySpki);
    const text = openssl.certText(signed.chainDer[0] as Buffer);
    expect(text).toContain('Subject: CN = api.corp.example.com, O = Corp');
    expect(text).toContain('DNS:api.corp.example.com');
    expect(text).not.toContain('evil');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
  });

  it("names the CA as issuer, points its AKI at the CA's SKI, and draws a fresh positive 128-bit serial", async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' });
    const [first, second] = await Promise.all([issue(ca), issue(ca)]);
    const leaf = parse(first?.chainDer[0]);
    const caCert = parse(ca.chainDer[0]);

    expect(leaf.issuer).toBe('CN=Corp Root CA, O=Corp');
    expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(leaf.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(leaf.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(parse(second?.chainDer[0]).serialNumber).not.toBe(leaf.serialNumber);
    expect(leaf.notBefore).toEqual(new Date('2025-05-31T23:50:00Z'));
    expect(leaf.notAfter).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(first?.notAfterClamped).toBeUndefined();
  });
});

describe('signCsrWithCa: intermediates and path length', () => {
  it('root → intermediate → leaf: the intermediate is a CA with path length 0 and OpenSSL verifies the whole chain', async () => {
    const root = await rootCa({ kty: 'RSA', keySize: 2048 });
    const intermediate = await intermediateCa(root, { kty: 'EC', curve: 'P-384' }, { ...unconstrainedCa(), pathLength: 0 });
    const signed = await issue(intermediate);

    const intermediateText = openssl.certText(intermediate.chainDer[0] as Buffer);
    expect(intermediateText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(intermediateText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(intermediateText).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(openssl.certText(signed.chainDer[0] as Buffer)).toContain('Signature Algorithm: ecdsa-with-SHA384');

    expect(signed.chainDer).toHaveLength(3);
    expect(signed.chainDer.slice(1)).toEqual([intermediate.chainDer[0], root.chainDer[0]]);
    expect(opensslVerify(signed.chainDer)).toMatch(/: OK$/);
  });

  it('a CA with path length 0 cannot issue a CA, and an intermediate of one with 1 cannot either', async () => {
    const zero = await rootCa({ kty: 'EC', curve: 'P-256' }, { ...unconstrainedCa(), pathLength: 0 });
    const caProfile = profile({ subject: 'CN=Sub CA', keyUsage: CA_USAGES, ca: unconstrainedCa() });
    const error = await refusal(issue(zero, caProfile));
    expect(error.fault).toBe('request');
    expect(error.message).toMatch(/'CN=Corp Root CA, O=Corp' allows no further intermediate CA .*only end-entity/);
    // It still issues leaves.
    expect(opensslVerify((await issue(zero)).chainDer)).toMatch(/: OK$/);

    const one = await rootCa({ kty: 'EC', curve: 'P-384' }, { ...unconstrainedCa(), pathLength: 1 });
    const intermediate = await intermediateCa(one, { kty: 'EC', curve: 'P-256' });
    expect(intermediate.signed.pathLengthClamped).toEqual({ requested: undefined, issued: 0 });
    expect(await refusal(issue(intermediate, caProfile))).toMatchObject({ fault: 'request' });
  });

  it("an intermediate's path length stays below its issuer's, and the result says so when it was cut", async () => {
    const root = await rootCa({ kty: 'EC', curve: 'P-256' }, { ...unconstrainedCa(), pathLength: 2 });
    const asked = await intermediateCa(root, { kty: 'EC', curve: 'P-256' }, { ...unconstrainedCa(), pathLength: 5 });
    expect(asked.signed.pathLengthClamped).toEqual({ requested: 5, issued: 1 });
    expect(openssl.certText(asked.chainDer[0] as Buffer)).toMatch(/CA:TRUE, pathlen:1/);

    const modest = await intermediateCa(root, { kty: 'EC', curve: 'P-256' }, { ...unconstrainedCa(), pathLength: 0 });
    expect(modest.signed.pathLengthClamped).toBeUndefined();
  });
});

describe('signCsrWithCa: validity', () => {
  it("clamps a leaf's notAfter to the CA's and says so; OpenSSL verifies it", async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' });
    const signed = await issue(ca, SERVER, { months: 36 });
    expect(signed.notAfterClamped).toEqual({ requested: new Date('2028-06-01T00:00:00Z'), issued: NOT_AFTER });
    expect(parse(signed.chainDer[0]).notAfter).toEqual(NOT_AFTER);
    expect(opensslVerify(signed.chainDer)).toMatch(/: OK$/);
  });

  it('clamps to the earliest end among the CAs above too', async () => {
    const root = await rootCa({ kty: 'EC', curve: 'P-256' });
    const intermediate = await intermediateCa(root, { kty: 'EC', curve: 'P-384' });
    // The intermediate got 12 months, so it ends 2026-06-01: a leaf for 24 months ends there as well.
    const signed = await issue(intermediate, SERVER, { months: 24 });
    expect(parse(signed.chainDer[0]).notAfter).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(signed.notAfterClamped?.issued).toEqual(new Date('2026-06-01T00:00:00Z'));
  });

  it('refuses with an expired CA, a CA not yet valid, and a CA whose own issuer has expired', async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' });
    const expired = await refusal(issue(ca, SERVER, { now: new Date('2027-02-01T00:00:00Z') }));
    expect(expired).toMatchObject({ fault: 'authority', message: "The CA 'CN=Corp Root CA, O=Corp' expired on 2027-01-01T00:00:00.000Z." });
    const early = await refusal(issue(ca, SERVER, { now: new Date('2024-12-01T00:00:00Z') }));
    expect(early).toMatchObject({ fault: 'authority', message: expect.stringContaining('is not valid before 2025-01-01') });

    const shortRoot = await rootCa({ kty: 'EC', curve: 'P-384' }, unconstrainedCa(), { notBefore: NOT_BEFORE, notAfter: new Date('2025-07-01T00:00:00Z') }, 'CN=Short Root');
    // Issued here, the intermediate would end with the root; one imported from elsewhere can outlive it.
    const intermediateSpec: KeySpec = { kty: 'EC', curve: 'P-256' };
    const keys = await generateKeyPair(intermediateSpec);
    const outliving = await signCertificate({
      subjectPublicKeySpki: keys.publicKeySpki,
      profile: profile({ subject: 'CN=Corp Issuing CA, O=Corp', keyUsage: CA_USAGES, ca: unconstrainedCa() }),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      signer: { privateKeyPkcs8: shortRoot.privateKeyPkcs8, spec: shortRoot.spec, certificateDer: shortRoot.chainDer[0] },
    });
    const intermediate = { chainDer: [outliving, ...shortRoot.chainDer], privateKeyPkcs8: keys.privateKeyPkcs8 };
    const above = await refusal(issue(intermediate, SERVER, { now: new Date('2025-08-01T00:00:00Z') }));
    expect(above.message).toMatch(/The CA 'CN=Short Root' above 'CN=Corp Issuing CA, O=Corp' expired/);
  });
});

describe('signCsrWithCa: name constraints', () => {
  const constrained: CaConstraints = { permittedDnsDomains: ['corp.example.com'], excludedDnsDomains: ['secret.corp.example.com'] };
  const withDns = (...dnsNames: string[]): CertificateProfile =>
    profile({ subject: 'CN=Service, O=Corp', sans: { dnsNames, emails: [], upns: [], uris: [], ipAddresses: [] }, ekus: ['1.3.6.1.5.5.7.3.1'] });

  it('issues names inside the permitted subtree, and OpenSSL agrees', async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' }, constrained);
    expect(openssl.certText(ca.chainDer[0] as Buffer)).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:corp.example.com\s+Excluded:\s+DNS:secret.corp.example.com/);
    const signed = await issue(ca, withDns('corp.example.com', 'api.corp.example.com', '*.web.corp.example.com'));
    expect(opensslVerify(signed.chainDer)).toMatch(/: OK$/);
  });

  it('refuses a name outside the permitted subtree or inside an excluded one, and OpenSSL would too', async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' }, constrained);
    const outside = await refusal(issue(ca, withDns('api.corp.example.com', 'www.example.org')));
    expect(outside).toMatchObject({ fault: 'request' });
    expect(outside.message).toBe(
      "The CA 'CN=Corp Root CA, O=Corp' cannot issue this certificate: the DNS name 'www.example.org' is outside the permitted subtrees (corp.example.com).",
    );
    // "notcorp.example.com" ends with the subtree's text but is not below it.
    await expect(refusal(issue(ca, withDns('notcorp.example.com')))).resolves.toMatchObject({ fault: 'request' });
    const excluded = await refusal(issue(ca, withDns('db.secret.corp.example.com')));
    expect(excluded.message).toContain("'db.secret.corp.example.com' is in the excluded subtree 'secret.corp.example.com'");
    // With no DNS SAN, a host-name-like CN is what OpenSSL checks, so it is checked here too.
    const byCn = await refusal(issue(ca, profile({ subject: 'CN=www.example.org' })));
    expect(byCn.message).toContain("'www.example.org' is outside");

    // The same certificate signed around the check: OpenSSL refuses the chain for the same reason.
    const bypass = await signCertificate({
      subjectPublicKeySpki: leafKey.publicKeySpki,
      profile: withDns('www.example.org'),
      notBefore: NOT_BEFORE,
      notAfter: new Date('2026-01-01T00:00:00Z'),
      signer: { privateKeyPkcs8: ca.privateKeyPkcs8, spec: ca.spec, certificateDer: ca.chainDer[0] },
    });
    expect(() => opensslVerify([bypass, ca.chainDer[0] as Buffer])).toThrow(/permitted subtree violation/);
  });

  it("holds a leaf of an intermediate to the root's constraints as well", async () => {
    const root = await rootCa({ kty: 'EC', curve: 'P-384' }, constrained);
    const intermediate = await intermediateCa(root, { kty: 'EC', curve: 'P-256' });
    const error = await refusal(issue(intermediate, withDns('www.example.org')));
    expect(error.message).toMatch(/^The CA 'CN=Corp Root CA, O=Corp' cannot issue/);
    expect(opensslVerify((await issue(intermediate, withDns('a.corp.example.com'))).chainDer)).toMatch(/: OK$/);
  });
});

describe('signCsrWithCa: what it refuses', () => {
  it('a certificate that is not a CA, or a CA without keyCertSign', async () => {
    const spec: KeySpec = { kty: 'EC', curve: 'P-256' };
    const keys = await keyPairFor(spec);
    const selfSigned = (p: CertificateProfile): Promise<Buffer> =>
      signCertificate({ subjectPublicKeySpki: keys.publicKeySpki, profile: p, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec } });

    const leaf = await selfSigned(profile({ subject: 'CN=Just a leaf', keyUsage: ['digitalSignature'] }));
    const notCa = await refusal(issue({ chainDer: [leaf], privateKeyPkcs8: keys.privateKeyPkcs8 }));
    expect(notCa).toMatchObject({ fault: 'authority', message: "The certificate 'CN=Just a leaf' is not a CA: it lacks basic constraints CA:true." });

    const noCertSign = await selfSigned(profile({ subject: 'CN=CRL only', keyUsage: ['cRLSign'], ca: unconstrainedCa() }));
    const error = await refusal(issue({ chainDer: [noCertSign], privateKeyPkcs8: keys.privateKeyPkcs8 }));
    expect(error).toMatchObject({ fault: 'authority', message: "The CA 'CN=CRL only' may not sign certificates: its key usage lacks keyCertSign." });
  });

  it('a CSR whose signature does not verify, and bytes that are not a CSR', async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' });
    const csr = await csrOf(leafKey, LEAF_SPEC);
    const tampered = Buffer.from(csr);
    // The last bytes are the signature's: flipping one leaves a well-formed CSR with a wrong signature.
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 0x01;
    const badSignature = await refusal(issue(ca, SERVER, { csr: tampered }));
    expect(badSignature).toMatchObject({ fault: 'request', message: expect.stringContaining('its signature does not verify') });

    const garbage = await refusal(issue(ca, SERVER, { csr: Buffer.from('not a csr') }));
    expect(garbage).toMatchObject({ fault: 'request', message: 'The certificate signing request is not a valid PKCS#10 request.' });
  });

  it("a key held for the CA that is not its certificate's", async () => {
    const ca = await rootCa({ kty: 'EC', curve: 'P-256' });
    const other = await generateKeyPair({ kty: 'EC', curve: 'P-256' });
    const error = await refusal(issue({ chainDer: ca.chainDer, privateKeyPkcs8: other.privateKeyPkcs8 }));
    expect(error).toMatchObject({ fault: 'authority', message: "The key held for CA 'CN=Corp Root CA, O=Corp' does not match its certificate." });
  });
});
