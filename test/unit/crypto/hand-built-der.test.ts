import { webcrypto as nodeWebcrypto } from 'node:crypto';
import { bufferSource } from '../../../shared/crypto/bytes';
import { profileExtensions } from '../../../shared/crypto/certificate-extensions';
import { type CertificateProfile, unconstrainedCa } from '../../../shared/crypto/certificate-profile';
import { createCsr } from '../../../shared/crypto/csr';
import { readDerChildren, readDerElement } from '../../../shared/crypto/der-element';
import { parseSubject } from '../../../shared/crypto/distinguished-name';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { issueCertificate, signCertificate } from '../../../shared/crypto/sign-certificate';
import { parseCertificate } from '../../../shared/crypto/certificate-chain';
import { signingAlgorithmFor } from '../../../shared/crypto/signing-algorithm';
import { webcrypto } from '../../../shared/crypto/webcrypto-provider';
import { x509 as peculiarX509 } from '../../../shared/crypto/x509';
import { FAST_SPECS, keyPairFor, label, profile } from './helpers';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

/**
 * The CSR and certificate are assembled as DER by hand (der-writer.ts) and signed with Node's crypto. These
 * tests hold the bytes they sign to what @peculiar/x509's generators (which the app used before) produce for
 * the same input, so stored CSRs and certificates keep exactly their former shape; only the signatures,
 * random for ECDSA, are compared by verifying them.
 */

/** The first element inside a signed structure: the TBSCertificate or CertificationRequestInfo, as bytes. */
function signedPart(der: Buffer): Buffer {
  const outer = readDerElement(der);
  const first = outer && readDerChildren(der, outer)?.[0];
  if (!first) throw new Error('not a signed DER structure');
  return der.subarray(first.start, first.end);
}

/** The same import the app did before, with the provider it chose (Node's own, or @peculiar's for P-256K). */
async function webcryptoKeys(spec: KeySpec): Promise<{ keys: CryptoKeyPair; crypto: globalThis.Crypto }> {
  const pair = await keyPairFor(spec);
  const crypto = spec.kty === 'EC' && spec.curve === 'P-256K' ? webcrypto() : (nodeWebcrypto as globalThis.Crypto);
  const { importParams } = signingAlgorithmFor(spec);
  const privateKey = await crypto.subtle.importKey('pkcs8', bufferSource(pair.privateKeyPkcs8), importParams, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', bufferSource(pair.publicKeySpki), importParams, true, ['verify']);
  return { keys: { privateKey, publicKey }, crypto };
}

const RICH = profile({
  subject: 'CN=www.fabrikam.com, OU=Web, O=Fabrikam, C=US',
  sans: { dnsNames: ['www.fabrikam.com', 'fabrikam.com'], emails: ['ops@fabrikam.com'], upns: ['web@fabrikam.com'], uris: ['https://fabrikam.com/'], ipAddresses: ['192.0.2.7', '2001:db8::1'] },
  ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
  keyUsage: ['digitalSignature', 'keyEncipherment'],
});
const EMPTY_SUBJECT = profile({ subject: '', sans: { ...RICH.sans, emails: [], upns: [], uris: [], ipAddresses: [] } });
const PLAIN = profile({ subject: 'CN=plain' });
const CA = profile({ subject: 'CN=Fabrikam Root', ca: unconstrainedCa(), keyUsage: ['keyCertSign', 'cRLSign'] });
const PROFILES: [string, CertificateProfile][] = [
  ['SANs, EKUs and key usages', RICH],
  ['an empty subject', EMPTY_SUBJECT],
  ['no extensions', PLAIN],
  ['a CA', CA],
];

describe('createCsr builds the CertificationRequestInfo @peculiar/x509 built', () => {
  it.each(FAST_SPECS.flatMap((spec) => PROFILES.map(([what, p]) => [label(spec), what, spec, p] as const)))('%s, %s', async (_k, _p, spec, p) => {
    const pair = await keyPairFor(spec);
    const ours = await createCsr(pair, spec, p);
    const subject = parseSubject(p.subject);
    const { keys, crypto } = await webcryptoKeys(spec);
    const theirs = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: subject, keys, signingAlgorithm: signingAlgorithmFor(spec).signParams, extensions: profileExtensions(p, subject.toJSON().length === 0) },
      crypto,
    );
    expect(signedPart(ours).toString('hex')).toBe(signedPart(Buffer.from(theirs.rawData)).toString('hex'));
    const parsed = new x509.Pkcs10CertificateRequest(bufferSource(ours));
    await expect(parsed.verify()).resolves.toBe(true);
  });
});

describe('signCertificate builds the TBSCertificate @peculiar/x509 built', () => {
  const cases = FAST_SPECS.flatMap((spec) => PROFILES.map(([what, p]) => [label(spec), what, spec, p] as const));
  it.each(cases)('%s, %s', async (_k, _p, spec, p) => {
    const pair = await keyPairFor(spec);
    const notBefore = new Date('2025-03-04T05:06:07.890Z');
    // From 2050 on, Time is a GeneralizedTime; the milliseconds are dropped either way.
    const notAfter = new Date('2051-03-04T05:06:07.890Z');
    const serialNumber = '00ff0102030405060708090a0b0c0d0e';
    const ours = await signCertificate({ subjectPublicKeySpki: pair.publicKeySpki, profile: p, notBefore, notAfter, serialNumber, signer: { privateKeyPkcs8: pair.privateKeyPkcs8, spec } });

    const { keys, crypto } = await webcryptoKeys(spec);
    const subject = parseSubject(p.subject);
    const theirs = await x509.X509CertificateGenerator.create(
      {
        serialNumber: 'ff0102030405060708090a0b0c0d0e',
        subject,
        issuer: subject,
        notBefore,
        notAfter,
        publicKey: bufferSource(pair.publicKeySpki),
        signingKey: keys.privateKey,
        signingAlgorithm: signingAlgorithmFor(spec).signParams,
        extensions: [
          ...(p.ca ? [] : [new x509.BasicConstraintsExtension(false, undefined, true)]),
          ...profileExtensions(p, subject.toJSON().length === 0),
          await x509.SubjectKeyIdentifierExtension.create(bufferSource(pair.publicKeySpki), false, crypto),
          new x509.AuthorityKeyIdentifierExtension((await x509.SubjectKeyIdentifierExtension.create(bufferSource(pair.publicKeySpki), false, crypto)).keyId, false),
        ],
      },
      crypto,
    );
    expect(signedPart(ours).toString('hex')).toBe(signedPart(Buffer.from(theirs.rawData)).toString('hex'));
    await expect(new x509.X509Certificate(bufferSource(ours)).verify({ signatureOnly: true })).resolves.toBe(true);
  });
});

describe('issueCertificate describes its certificate as parseCertificate reads it back', () => {
  it.each(PROFILES.flatMap(([what, p]) => [[`EC P-256, ${what}`, { kty: 'EC', curve: 'P-256' } as KeySpec, p] as const, [`RSA 2048, ${what}`, { kty: 'RSA', keySize: 2048 } as KeySpec, p] as const]))(
    '%s, self-signed',
    async (_what, spec, p) => {
      const pair = await keyPairFor(spec);
      const notBefore = new Date('2049-12-31T23:59:59.999Z');
      const notAfter = new Date('2050-01-01T00:00:00.500Z');
      const issued = await issueCertificate({ subjectPublicKeySpki: pair.publicKeySpki, profile: p, notBefore, notAfter, signer: { privateKeyPkcs8: pair.privateKeyPkcs8, spec } });
      expect(issued).toEqual(parseCertificate(issued.der));
    },
  );

  it('signed by a CA: the issuer is the CA subject as its certificate spells it', async () => {
    const caSpec: KeySpec = { kty: 'EC', curve: 'P-384' };
    const ca = await keyPairFor(caSpec);
    const caDer = await signCertificate({ subjectPublicKeySpki: ca.publicKeySpki, profile: CA, notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z'), signer: { privateKeyPkcs8: ca.privateKeyPkcs8, spec: caSpec } });
    const leaf = await keyPairFor({ kty: 'EC', curve: 'P-256' });
    const issued = await issueCertificate({
      subjectPublicKeySpki: leaf.publicKeySpki,
      profile: RICH,
      notBefore: new Date('2025-06-01T00:00:00Z'),
      notAfter: new Date('2026-06-01T00:00:00Z'),
      serialNumber: '8001',
      signer: { privateKeyPkcs8: ca.privateKeyPkcs8, spec: caSpec, certificateDer: caDer },
    });
    expect(issued).toEqual(parseCertificate(issued.der));
    expect(issued.issuer).toBe('CN=Fabrikam Root');
  });
});
