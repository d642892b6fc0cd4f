import { readFileSync } from 'node:fs';
import { ChainError, type ParsedCertificate } from '../../../shared/crypto/certificate-chain';
import { decodeX5c } from '../../../shared/crypto/certificate-input';
import { createCsr } from '../../../shared/crypto/csr';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { signCertificate } from '../../../shared/crypto/sign-certificate';
import { NOT_AFTER, NOT_BEFORE, OpenSsl, derToPem, keyPairFor, profile } from './helpers';

/**
 * Every form of merge's x5c entry that is accepted (with certificates made here by the project's own code and
 * by the openssl CLI, an independent producer), and every refusal, which must name the entry and say why.
 */
const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const RSA: KeySpec = { kty: 'RSA', keySize: 2048 };
const EC: KeySpec = { kty: 'EC', curve: 'P-256' };

let root: Buffer;
let intermediate: Buffer;
let leaf: Buffer;
let csr: Buffer;
/** PEM files for openssl: the same three certificates, and the intermediate's key to sign with. */
let files: { root: string; intermediate: string; leaf: string; intermediateKey: string };

beforeAll(async () => {
  const [rootKey, intermediateKey, leafKey] = await Promise.all([keyPairFor(RSA), keyPairFor(EC), keyPairFor({ kty: 'EC', curve: 'P-384' })]);
  const dates = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER };
  root = await signCertificate({
    ...dates,
    subjectPublicKeySpki: rootKey.publicKeySpki,
    profile: profile({ subject: 'CN=Root, O=Input Test' }),
    signer: { privateKeyPkcs8: rootKey.privateKeyPkcs8, spec: RSA },
    isCa: true,
  });
  intermediate = await signCertificate({
    ...dates,
    subjectPublicKeySpki: intermediateKey.publicKeySpki,
    profile: profile({ subject: 'CN=Intermediate, O=Input Test' }),
    signer: { privateKeyPkcs8: rootKey.privateKeyPkcs8, spec: RSA, certificateDer: root },
    isCa: true,
  });
  leaf = await signCertificate({
    ...dates,
    subjectPublicKeySpki: leafKey.publicKeySpki,
    profile: profile({ subject: 'CN=leaf.example' }),
    signer: { privateKeyPkcs8: intermediateKey.privateKeyPkcs8, spec: EC, certificateDer: intermediate },
  });
  csr = await createCsr(leafKey, { kty: 'EC', curve: 'P-384' }, profile({ subject: 'CN=leaf.example' }));
  files = {
    root: openssl.file(derToPem('CERTIFICATE', root)),
    intermediate: openssl.file(derToPem('CERTIFICATE', intermediate)),
    leaf: openssl.file(derToPem('CERTIFICATE', leaf)),
    intermediateKey: openssl.file(derToPem('PRIVATE KEY', intermediateKey.privateKeyPkcs8)),
  };
});

const LEAF = 'CN=leaf.example';
const INTERMEDIATE = 'CN=Intermediate, O=Input Test';
const ROOT = 'CN=Root, O=Input Test';
const subjects = (certs: ParsedCertificate[]): string[] => certs.map((c) => c.subject);
/** What every SDK does with the bytes it is given: standard base64 (JS: `uint8ArrayToString(bytes, "base64")`). */
const wire = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');
const b64 = (der: Buffer): string => der.toString('base64');

/** Runs openssl with `-out` to a fresh file and returns what it wrote. */
function opensslOutput([command = '', ...args]: string[]): Buffer {
  const out = openssl.file('');
  openssl.run([command, '-out', out, ...args]);
  return readFileSync(out);
}

/** A certs-only SignedData made by `openssl crl2pkcs7`, the usual way to make a .p7b. */
function p7b(pemFiles: string[], outform: 'DER' | 'PEM'): Buffer {
  return opensslOutput(['crl2pkcs7', '-nocrl', ...pemFiles.flatMap((f) => ['-certfile', f]), '-outform', outform]);
}

describe('decodeX5c accepts what Key Vault merges', () => {
  it('base64 DER entries, one certificate each, in the order sent and byte for byte', () => {
    const certs = decodeX5c([b64(leaf), b64(intermediate), b64(root)]);
    expect(subjects(certs)).toEqual([LEAF, INTERMEDIATE, ROOT]);
    expect(certs.map((c) => c.der)).toEqual([leaf, intermediate, root]);
  });

  it('base64 with line breaks inside an entry', () => {
    expect(subjects(decodeX5c([b64(leaf).replace(/.{64}/g, '$&\r\n')]))).toEqual([LEAF]);
  });

  it("the JS SDK's own mergeAndImport test: an openssl-signed certificate's PEM lines minus the first, joined", () => {
    // As in Azure/azure-sdk-for-js keyvault-certificates test/public/mergeAndImport.spec.ts: the CSR is wrapped
    // in PEM on one line, signed by `openssl x509 -req`, and the resulting file is cut with
    // `toString().split("\n").slice(1, -1).join("")`, which drops the BEGIN line and the final empty line but
    // keeps the END line, glued to the base64 body. The SDK then base64-encodes those bytes for the wire.
    const wrappedCsr = `-----BEGIN CERTIFICATE REQUEST-----\n${csr.toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
    const signed = opensslOutput([
      'x509', '-req', '-in', openssl.file(wrappedCsr), '-CA', files.intermediate, '-CAkey', files.intermediateKey, '-CAcreateserial',
    ]);
    const base64Crt = signed.toString().split('\n').slice(1, -1).join('');
    expect(base64Crt).toMatch(/^MII[A-Za-z0-9+/=]+-----END CERTIFICATE-----$/);

    const [certificate] = decodeX5c([wire(base64Crt)]);

    const expectedDer = opensslOutput(['x509', '-in', openssl.file(signed), '-outform', 'DER']);
    expect(certificate?.der.equals(expectedDer)).toBe(true);
    expect(certificate?.subject).toBe(LEAF);
  });

  it('the Azure SDK samples: the base64 text of the DER, base64-encoded again by the SDK', () => {
    expect(subjects(decodeX5c([wire(b64(leaf))]))).toEqual([LEAF]);
  });

  it('PEM text, with several certificates in one entry taken in order, next to other entries', () => {
    const chainPem = derToPem('CERTIFICATE', leaf) + derToPem('CERTIFICATE', intermediate);
    expect(subjects(decodeX5c([wire(chainPem), b64(root)]))).toEqual([LEAF, INTERMEDIATE, ROOT]);
  });

  it('PEM as Windows and `openssl pkcs12` write it: a byte-order mark, CRLF line ends, attribute text around the blocks', () => {
    const pem = `\ufeffBag Attributes\r\n    localKeyID: 01 00 00 00\r\nsubject=CN = leaf.example\r\n${derToPem('CERTIFICATE', leaf).replace(/\n/g, '\r\n')}\r\n`;
    expect(subjects(decodeX5c([wire(pem)]))).toEqual([LEAF]);
  });

  it('PEM cut the other way: the BEGIN line kept and the END line lost', () => {
    const pem = derToPem('CERTIFICATE', leaf).replace(/-----END CERTIFICATE-----\n$/, '');
    expect(subjects(decodeX5c([wire(pem)]))).toEqual([LEAF]);
  });

  it('a DER PKCS#7 bundle (.p7b) made by openssl: every certificate, in bundle order, byte for byte', () => {
    const bundle = p7b([files.leaf, files.intermediate, files.root], 'DER');
    const certs = decodeX5c([b64(bundle)]);
    expect(subjects(certs)).toEqual([LEAF, INTERMEDIATE, ROOT]);
    expect(certs.map((c) => c.der)).toEqual([leaf, intermediate, root]);
  });

  it('a PEM PKCS#7 bundle (-----BEGIN PKCS7-----), and the same bundle as base64 text without header lines', () => {
    const pem = p7b([files.leaf, files.intermediate], 'PEM').toString();
    expect(pem).toMatch(/^-----BEGIN PKCS7-----\n/);
    expect(subjects(decodeX5c([wire(pem)]))).toEqual([LEAF, INTERMEDIATE]);
    const headerless = pem.split('\n').slice(1, -1).join('');
    expect(subjects(decodeX5c([wire(headerless), b64(root)]))).toEqual([LEAF, INTERMEDIATE, ROOT]);
  });

  it('one PEM entry mixing a CERTIFICATE block and a PKCS7 block', () => {
    const pem = derToPem('CERTIFICATE', leaf) + p7b([files.intermediate, files.root], 'PEM').toString();
    expect(subjects(decodeX5c([wire(pem)]))).toEqual([LEAF, INTERMEDIATE, ROOT]);
  });
});

describe('decodeX5c refuses everything else, naming the entry and the reason', () => {
  const refusal = (x5c: string[]): string => {
    try {
      decodeX5c(x5c);
    } catch (error) {
      expect(error).toBeInstanceOf(ChainError);
      return (error as Error).message;
    }
    throw new Error('decodeX5c accepted the input');
  };
  /** The bad entry goes second, between two good ones, so the index in the message is not a default. */
  const refusalOf = (bad: string): string => refusal([b64(leaf), bad, b64(root)]);

  it('an empty list', () => {
    expect(refusal([])).toBe('x5c must contain at least one certificate');
  });

  it('an empty entry', () => {
    expect(refusalOf('  ')).toBe('x5c[1] is empty');
  });

  it('an entry that is not base64, saying where', () => {
    const b = b64(leaf);
    expect(refusalOf(`${b.slice(0, 100)}*${b.slice(100)}`)).toBe('x5c[1] is not base64 (character "*" at position 101 is not a base64 digit)');
    expect(refusalOf('QUJD=')).toBe('x5c[1] is not base64 (its padding is wrong)');
    expect(refusalOf('AB=C')).toBe("x5c[1] is not base64 ('=' padding appears before the end)");
  });

  it('raw PEM text put in x5c without base64 (JSON carries bytes as base64), with a hint', () => {
    expect(refusalOf(derToPem('CERTIFICATE', leaf))).toBe(
      'x5c[1] is not base64 (character "-" at position 1 is not a base64 digit); it is PEM text, which x5c carries base64-encoded like any other bytes',
    );
  });

  it('binary bytes that are neither DER nor text', () => {
    expect(refusalOf(wire(Buffer.from([0x01, 0x02, 0xff, 0x00])))).toBe(
      'x5c[1] is neither a DER certificate or PKCS#7 bundle, nor PEM or base64 text',
    );
  });

  it('text that is neither PEM nor base64', () => {
    expect(refusalOf(wire('hello, world'))).toBe('x5c[1] is text but neither PEM nor base64 (character "," at position 6 is not a base64 digit)');
  });

  it('base64 text of something that is not DER', () => {
    expect(refusalOf(wire('aGVsbG8gd29ybGQ='))).toBe(
      'x5c[1] is base64 text whose decoded content is not a DER certificate or PKCS#7 bundle (both start with a SEQUENCE)',
    );
  });

  it('a truncated certificate, and one with bytes after it', () => {
    expect(refusalOf(b64(leaf.subarray(0, leaf.length - 10)))).toBe(
      `x5c[1] is truncated: its DER header declares ${leaf.length} bytes, ${leaf.length - 10} arrived`,
    );
    expect(refusalOf(b64(Buffer.concat([leaf, Buffer.from([0, 0])])))).toBe('x5c[1] has 2 bytes after its DER structure');
  });

  it('DER that is not a certificate: the CSR itself, sent back instead of the signed certificate', () => {
    expect(refusalOf(b64(csr))).toBe('x5c[1] is DER but not a valid X.509 certificate');
  });

  it('BER indefinite lengths', () => {
    expect(refusalOf(b64(Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00])))).toBe('x5c[1] uses BER indefinite lengths; only DER is accepted');
  });

  it('a PEM entry holding a private key: only certificates are merged', () => {
    const pem = derToPem('CERTIFICATE', leaf) + readFileSync(files.intermediateKey, 'utf8');
    expect(refusalOf(wire(pem))).toBe('x5c[1] holds PEM block 2 (PRIVATE KEY); only CERTIFICATE and PKCS7 blocks can be merged');
  });

  it('a PEM block whose body is corrupt or truncated', () => {
    const corrupt = derToPem('CERTIFICATE', leaf).replace(/\n(.{10})/, '\n$1!');
    expect(refusalOf(wire(corrupt))).toBe('x5c[1] holds PEM block 1 (CERTIFICATE) whose body is not base64 (character "!" at position 12 is not a base64 digit)');
    const truncated = derToPem('CERTIFICATE', leaf.subarray(0, 300));
    expect(refusalOf(wire(truncated))).toBe(`x5c[1] holds PEM block 1 (CERTIFICATE) that is truncated: its DER header declares ${leaf.length} bytes, 300 arrived`);
  });

  it('the SDK-test form with a corrupted body', () => {
    const cut = derToPem('CERTIFICATE', leaf).split('\n').slice(1, -1).join('');
    expect(refusalOf(wire(`${cut.slice(0, 50)}?${cut.slice(50)}`))).toBe('x5c[1] is text but neither PEM nor base64 (character "?" at position 51 is not a base64 digit)');
  });

  it('PKCS#7 that is not a certificate bundle: enveloped (encrypted) data', () => {
    const enveloped = opensslOutput(['cms', '-encrypt', '-in', openssl.file('secret'), '-outform', 'DER', files.leaf]);
    expect(refusalOf(b64(enveloped))).toBe('x5c[1] is PKCS#7 envelopedData, not a certificate bundle (SignedData)');
  });

  it('PKCS#7 that is a signed message rather than a certificates-only bundle', () => {
    // The intermediate can sign (it is a CA with an EC key); the message carries its certificate and a signature.
    const signed = opensslOutput([
      'cms', '-sign', '-in', openssl.file('a document'), '-signer', files.intermediate, '-inkey', files.intermediateKey, '-outform', 'DER', '-nodetach',
    ]);
    expect(refusalOf(b64(signed))).toBe('x5c[1] is a signed PKCS#7 message, not a certificates-only bundle (.p7b)');
  });

  it('a PKCS#7 bundle with no certificates in it', () => {
    expect(refusalOf(b64(p7b([], 'DER')))).toBe('x5c[1] is a PKCS#7 bundle with no certificates');
  });
});
