import {
  ChainError,
  findLeafForKey,
  issuedChain,
  orderLeafFirst,
  parseCertificate,
  type ParsedCertificate,
} from '../../../shared/crypto/certificate-chain';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { signCertificate } from '../../../shared/crypto/sign-certificate';
import { NOT_AFTER, NOT_BEFORE, OpenSsl, derToPem, keyPairFor, profile } from './helpers';

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const EC: KeySpec = { kty: 'EC', curve: 'P-256' };
const RSA: KeySpec = { kty: 'RSA', keySize: 2048 };

interface Chain {
  root: Buffer;
  intermediate: Buffer;
  leaf: Buffer;
  leafKeySpki: Buffer;
  unrelated: Buffer;
}

let chain: Chain;

beforeAll(async () => {
  const [rootKey, intermediateKey, leafKey] = await Promise.all([
    keyPairFor(RSA),
    keyPairFor(EC),
    keyPairFor({ kty: 'EC', curve: 'P-384' }),
  ]);
  const dates = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER };
  const root = await signCertificate({
    ...dates,
    subjectPublicKeySpki: rootKey.publicKeySpki,
    profile: profile({ subject: 'CN=Root, O=Chain Test' }),
    signer: { privateKeyPkcs8: rootKey.privateKeyPkcs8, spec: RSA },
    isCa: true,
    serialNumber: '01',
  });
  const intermediate = await signCertificate({
    ...dates,
    subjectPublicKeySpki: intermediateKey.publicKeySpki,
    profile: profile({ subject: 'CN=Intermediate, O=Chain Test' }),
    signer: { privateKeyPkcs8: rootKey.privateKeyPkcs8, spec: RSA, certificateDer: root },
    isCa: true,
  });
  const leaf = await signCertificate({
    ...dates,
    subjectPublicKeySpki: leafKey.publicKeySpki,
    profile: profile({ subject: 'CN=leaf.example' }),
    signer: { privateKeyPkcs8: intermediateKey.privateKeyPkcs8, spec: EC, certificateDer: intermediate },
    serialNumber: 'C0FFEE',
  });
  const unrelated = await signCertificate({
    ...dates,
    subjectPublicKeySpki: intermediateKey.publicKeySpki,
    profile: profile({ subject: 'CN=Somebody Else' }),
    signer: { privateKeyPkcs8: intermediateKey.privateKeyPkcs8, spec: EC },
  });
  chain = { root, intermediate, leaf, leafKeySpki: leafKey.publicKeySpki, unrelated };
});

const subjects = (certs: ParsedCertificate[]): string[] => certs.map((c) => c.subject);

describe('parseCertificate', () => {
  it('exposes the fields merge and import need, matching what OpenSSL reports', () => {
    const parsed = parseCertificate(chain.leaf);

    expect(parsed).toMatchObject({
      subject: 'CN=leaf.example',
      issuer: 'CN=Intermediate, O=Chain Test',
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      serialNumber: 'C0FFEE',
    });
    expect(parsed.der.equals(chain.leaf)).toBe(true);
    expect(parsed.publicKeySpki.equals(chain.leafKeySpki)).toBe(true);

    const fingerprint = openssl
      .run(['x509', '-inform', 'DER', '-in', openssl.file(chain.leaf), '-noout', '-fingerprint', '-sha1'])
      .replace(/^.*=/, '')
      .trim()
      .replace(/:/g, '');
    expect(parsed.x5t).toBe(Buffer.from(fingerprint, 'hex').toString('base64url'));
    expect(parsed.x5t).not.toContain('=');
  });

  it.each([
    ['random bytes', Buffer.from('definitely not a certificate')],
    ['an empty buffer', Buffer.alloc(0)],
    ['a PEM text instead of DER', Buffer.from(derToPem('CERTIFICATE', Buffer.from([1, 2, 3])))],
  ])('throws ChainError for %s', (_, bytes) => {
    expect(() => parseCertificate(bytes)).toThrow(ChainError);
  });

  it('throws ChainError for a truncated certificate and for one with bytes appended', () => {
    expect(() => parseCertificate(chain.leaf.subarray(0, chain.leaf.length - 10))).toThrow(ChainError);
    expect(() => parseCertificate(Buffer.concat([chain.leaf, Buffer.from([0x00, 0x01])]))).toThrow(ChainError);
  });
});

describe('orderLeafFirst', () => {
  it('puts the leaf first and follows issuer links up to the root', () => {
    const [root, intermediate, leaf] = [chain.root, chain.intermediate, chain.leaf].map(parseCertificate) as [
      ParsedCertificate,
      ParsedCertificate,
      ParsedCertificate,
    ];
    const expected = ['CN=leaf.example', 'CN=Intermediate, O=Chain Test', 'CN=Root, O=Chain Test'];
    expect(subjects(orderLeafFirst([root, leaf, intermediate]))).toEqual(expected);
    expect(subjects(orderLeafFirst([intermediate, root, leaf]))).toEqual(expected);
    expect(subjects(orderLeafFirst([leaf, intermediate, root]))).toEqual(expected);
  });

  it('keeps certificates off the path at the end, in their given order', () => {
    const [root, leaf, unrelated] = [chain.root, chain.leaf, chain.unrelated].map(parseCertificate) as [
      ParsedCertificate,
      ParsedCertificate,
      ParsedCertificate,
    ];
    const intermediate = parseCertificate(chain.intermediate);
    // The unrelated self-signed cert also "issued nothing", but the leaf has the longer path.
    expect(subjects(orderLeafFirst([unrelated, root, leaf, intermediate]))).toEqual([
      'CN=leaf.example',
      'CN=Intermediate, O=Chain Test',
      'CN=Root, O=Chain Test',
      'CN=Somebody Else',
    ]);
    // A gap in the chain: the root cannot be reached from the leaf, so it trails.
    expect(subjects(orderLeafFirst([root, leaf]))).toEqual(['CN=leaf.example', 'CN=Root, O=Chain Test']);
  });

  it('starts from the given leaf when the caller knows it', () => {
    const certs = [chain.root, chain.intermediate, chain.leaf].map(parseCertificate);
    const intermediate = certs[1] as ParsedCertificate;
    expect(subjects(orderLeafFirst(certs, intermediate))).toEqual([
      'CN=Intermediate, O=Chain Test',
      'CN=Root, O=Chain Test',
      'CN=leaf.example',
    ]);
  });

  it('handles the trivial cases', () => {
    expect(orderLeafFirst([])).toEqual([]);
    const single = parseCertificate(chain.leaf);
    expect(orderLeafFirst([single])).toEqual([single]);
  });
});

describe('findLeafForKey', () => {
  it('finds the certificate for a public key, whatever its position', () => {
    const certs = [chain.root, chain.intermediate, chain.leaf].map(parseCertificate);
    expect(findLeafForKey(certs, chain.leafKeySpki)?.subject).toBe('CN=leaf.example');
  });

  it('finds nothing for a key none of them certifies', async () => {
    const certs = [chain.root, chain.leaf].map(parseCertificate);
    const stranger = await keyPairFor({ kty: 'EC', curve: 'P-521' });
    expect(findLeafForKey(certs, stranger.publicKeySpki)).toBeUndefined();
  });
});

describe('issuedChain', () => {
  it("puts a newly signed certificate before its CA's chain: the CA first, then up to the root", () => {
    expect(issuedChain(chain.leaf, [chain.intermediate, chain.root])).toEqual([chain.leaf, chain.intermediate, chain.root]);
    expect(issuedChain(chain.intermediate, [chain.root])).toEqual([chain.intermediate, chain.root]);
  });

  it("refuses a certificate the chain's first CA did not issue", () => {
    expect(() => issuedChain(chain.leaf, [chain.root])).toThrow(
      new ChainError("The certificate's issuer 'CN=Intermediate, O=Chain Test' is not the subject of the CA chain's first certificate"),
    );
  });
});
