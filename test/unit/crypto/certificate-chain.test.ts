import {
  ChainError,
  findLeafForKey,
  orderLeafFirst,
  parseCertificate,
  parseX5c,
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

describe('parseX5c', () => {
  it('parses standard base64 DER entries in order', () => {
    const parsed = parseX5c([chain.leaf.toString('base64'), chain.root.toString('base64')]);
    expect(subjects(parsed)).toEqual(['CN=leaf.example', 'CN=Root, O=Chain Test']);
  });

  it('tolerates line breaks inside an entry', () => {
    const wrapped = chain.leaf.toString('base64').replace(/.{64}/g, '$&\n');
    expect(subjects(parseX5c([wrapped]))).toEqual(['CN=leaf.example']);
  });

  it('accepts what the Azure SDK sample sends: base64 of the base64 text of the DER', () => {
    const base64Crt = chain.leaf.toString('base64');
    const sdkEntry = Buffer.from(base64Crt).toString('base64');
    expect(subjects(parseX5c([sdkEntry]))).toEqual(['CN=leaf.example']);
  });

  it('accepts base64 of PEM text, taking every certificate of a full-chain PEM in order', () => {
    const fullChain = derToPem('CERTIFICATE', chain.leaf) + derToPem('CERTIFICATE', chain.intermediate);
    const parsed = parseX5c([Buffer.from(fullChain).toString('base64'), chain.root.toString('base64')]);
    expect(subjects(parsed)).toEqual(['CN=leaf.example', 'CN=Intermediate, O=Chain Test', 'CN=Root, O=Chain Test']);
  });

  it('rejects an empty list', () => {
    expect(() => parseX5c([])).toThrow(new ChainError('x5c must contain at least one certificate'));
  });

  it.each([
    ['not base64 at all', '!!! not base64 !!!'],
    ['base64 of something else', Buffer.from('hello world').toString('base64')],
    ['an empty string', ''],
    ['a PEM block', derToPem('CERTIFICATE', Buffer.from('x'))],
  ])('names the failing index when an entry is %s', (_, bad) => {
    const x5c = [chain.leaf.toString('base64'), bad, chain.root.toString('base64')];
    expect(() => parseX5c(x5c)).toThrow(new ChainError('x5c[1] is not a valid base64 DER X.509 certificate'));
  });

  it('rejects an entry with junk characters that lenient base64 decoding would skip', () => {
    const b64 = chain.leaf.toString('base64');
    const corrupted = `${b64.slice(0, 100)}*${b64.slice(100)}`;
    expect(() => parseX5c([corrupted])).toThrow('x5c[0] is not a valid base64 DER X.509 certificate');
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
    const certs = parseX5c([chain.root, chain.intermediate, chain.leaf].map((d) => d.toString('base64')));
    expect(findLeafForKey(certs, chain.leafKeySpki)?.subject).toBe('CN=leaf.example');
  });

  it('finds nothing for a key none of them certifies', async () => {
    const certs = parseX5c([chain.root, chain.leaf].map((d) => d.toString('base64')));
    const stranger = await keyPairFor({ kty: 'EC', curve: 'P-521' });
    expect(findLeafForKey(certs, stranger.publicKeySpki)).toBeUndefined();
  });
});
