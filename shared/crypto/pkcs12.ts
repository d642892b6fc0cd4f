import { createHash, createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import type { ContentInfo } from '@peculiar/asn1-cms';
import type { PKCS12Attribute } from '@peculiar/asn1-pfx';
import { asn1Cms, asn1Pfx, asn1Pkcs9, asn1Rsa, asn1Schema, asn1X509 } from '../lazy-packages';
import { arrayBufferOf } from './bytes';

/**
 * PKCS#12 assembly (RFC 7292) with the ASN.1 schemas that ship with @peculiar/x509 and Node's crypto.
 * pkijs would do this too, but v4 is ESM-only and cannot be loaded from this CommonJS app or its tests.
 *
 * Layout, the one OpenSSL 3 writes by default apart from the unencrypted certificate bag:
 * - certificates in a plain `data` SafeContents (with an empty password encrypting them hides nothing);
 * - the key as a pkcs8ShroudedKeyBag, PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), made by Node/OpenSSL;
 * - an HMAC-SHA256 MAC keyed by the RFC 7292 appendix B KDF.
 */

const ITERATIONS = 2048;
const MAC_SALT_BYTES = 16;

export interface Pkcs12Input {
  privateKeyPkcs8?: Buffer;
  /** Leaf first. */
  certificatesDer: Buffer[];
  password: string;
}

export function encodePkcs12({ privateKeyPkcs8, certificatesDer, password }: Pkcs12Input): Buffer {
  const [leaf] = certificatesDer;
  if (!leaf) throw new Error('A PKCS#12 file needs at least one certificate');
  const { AuthenticatedSafe, CertBag, MacData, PFX, SafeBag, SafeContents, id_certBag, id_pkcs8ShroudedKeyBag, id_x509Certificate } = asn1Pfx();
  const { DigestInfo, id_sha256 } = asn1Rsa();
  const { AlgorithmIdentifier } = asn1X509();
  const { OctetString } = asn1Schema();
  // The same localKeyId on the key and the leaf is how readers (OpenSSL, Windows, Java) pair them.
  const localKeyId = createHash('sha1').update(leaf).digest();

  const certBags = certificatesDer.map(
    (der, index) =>
      new SafeBag({
        bagId: id_certBag,
        bagValue: serialize(new CertBag({ certId: id_x509Certificate, certValue: octetString(der) })),
        bagAttributes: index === 0 ? [localKeyIdAttribute(localKeyId)] : undefined,
      }),
  );
  const contents = [dataContentInfo(serialize(new SafeContents(certBags)))];

  if (privateKeyPkcs8) {
    const keyBag = new SafeBag({
      bagId: id_pkcs8ShroudedKeyBag,
      bagValue: arrayBufferOf(shroudKey(privateKeyPkcs8, password)),
      bagAttributes: [localKeyIdAttribute(localKeyId)],
    });
    contents.push(dataContentInfo(serialize(new SafeContents([keyBag]))));
  }

  const authSafe = Buffer.from(serialize(new AuthenticatedSafe(contents)));
  const macSalt = randomBytes(MAC_SALT_BYTES);
  const macKey = pkcs12Kdf({ password, salt: macSalt, id: 3, iterations: ITERATIONS, keyLength: 32 });
  const mac = createHmac('sha256', macKey).update(authSafe).digest();

  const pfx = new PFX({
    version: 3,
    authSafe: dataContentInfo(arrayBufferOf(authSafe)),
    macData: new MacData({
      mac: new DigestInfo({
        digestAlgorithm: new AlgorithmIdentifier({ algorithm: id_sha256, parameters: null }),
        digest: new OctetString(arrayBufferOf(mac)),
      }),
      macSalt: new OctetString(arrayBufferOf(macSalt)),
      iterations: ITERATIONS,
    }),
  });
  return Buffer.from(serialize(pfx));
}

/** EncryptedPrivateKeyInfo, which is exactly what a pkcs8ShroudedKeyBag holds. */
function shroudKey(privateKeyPkcs8: Buffer, password: string): Buffer {
  const key = createPrivateKey({ key: privateKeyPkcs8, format: 'der', type: 'pkcs8' });
  return key.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: password });
}

/**
 * RFC 7292 appendix B.2 key derivation (SHA-256 when writing; reading also takes what a file names). The password is a BMPString with a
 * two-byte terminator, so "" becomes 00 00, which is how OpenSSL treats `-passin pass:`.
 */
export interface Pkcs12KdfInput {
  /** null: no password bytes at all, which some writers use for an empty password instead of 00 00. */
  password: string | null;
  /** The MAC's or PBE scheme's digest; SHA-256 unless the file says otherwise (legacy files use SHA-1). */
  hash?: Pkcs12KdfHash;
  salt: Buffer;
  /** 1: encryption key, 2: IV, 3: MAC key. */
  id: 1 | 2 | 3;
  iterations: number;
  keyLength: number;
}

export type Pkcs12KdfHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
/** Output (u) and block (v) sizes in bytes of each digest, as appendix B names them. */
const KDF_SIZES: Record<Pkcs12KdfHash, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

export function pkcs12Kdf(input: Pkcs12KdfInput): Buffer {
  const hash = input.hash ?? 'sha256';
  const { u, v } = KDF_SIZES[hash];
  const repeatTo = (data: Buffer, length: number): Buffer =>
    Buffer.from(Array.from({ length }, (_, i) => data[i % data.length] ?? 0));
  const password =
    input.password === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from(input.password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const salt = repeatTo(input.salt, v * Math.ceil(input.salt.length / v));
  const pass = repeatTo(password, v * Math.ceil(password.length / v));
  const d = Buffer.alloc(v, input.id);
  let i = Buffer.concat([salt, pass]);

  const blocks: Buffer[] = [];
  for (let produced = 0; produced < input.keyLength; produced += u) {
    let a = Buffer.concat([d, i]);
    for (let r = 0; r < input.iterations; r++) a = createHash(hash).update(a).digest();
    blocks.push(a);
    // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I, with B = A repeated to v bytes.
    const b = BigInt(`0x${repeatTo(a, v).toString('hex')}`);
    const modulus = 1n << BigInt(8 * v);
    const next: Buffer[] = [];
    for (let j = 0; j < i.length; j += v) {
      const sum = (BigInt(`0x${i.subarray(j, j + v).toString('hex')}`) + b + 1n) % modulus;
      next.push(Buffer.from(sum.toString(16).padStart(2 * v, '0'), 'hex'));
    }
    i = Buffer.concat(next);
  }
  return Buffer.concat(blocks).subarray(0, input.keyLength);
}

function localKeyIdAttribute(localKeyId: Buffer): PKCS12Attribute {
  // Fields are set after construction: PKCS12Attribute's constructor (asn1-pfx 2.11) drops its argument.
  const { PKCS12Attribute } = asn1Pfx();
  const attribute = new PKCS12Attribute();
  attribute.attrId = asn1Pkcs9().id_pkcs9_at_localKeyId;
  attribute.attrValues = [octetString(localKeyId)];
  return attribute;
}

function dataContentInfo(content: ArrayBuffer): ContentInfo {
  const { ContentInfo, id_data } = asn1Cms();
  const { OctetString } = asn1Schema();
  return new ContentInfo({ contentType: id_data, content: serialize(new OctetString(content)) });
}

function octetString(bytes: Buffer): ArrayBuffer {
  const { OctetString } = asn1Schema();
  return serialize(new OctetString(arrayBufferOf(bytes)));
}

function serialize(value: object): ArrayBuffer {
  return asn1Schema().AsnConvert.serialize(value);
}
