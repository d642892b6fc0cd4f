import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import type { ContentInfo } from '@peculiar/asn1-cms';
import type { PFX } from '@peculiar/asn1-pfx';
import type { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { asn1Cms, asn1Pfx, asn1Schema, asn1X509 } from '../lazy-packages';
import { readDerChildren, readDerElement } from './der-element';
import { type Pkcs12KdfHash, pkcs12Kdf } from './pkcs12';
import { rc2CbcDecrypt } from './rc2';

/**
 * Reading a PKCS#12 file (RFC 7292) a caller imports: the MAC is checked first (it is what tells a wrong
 * password from a damaged file), then every SafeContents is opened, plain or password-encrypted, and its
 * key and certificate bags are collected. Encryption schemes read: PBES2 (PBKDF2 with HMAC-SHA-1/224/256/
 * 384/512, AES-128/192/256-CBC or 3DES-CBC) as OpenSSL 3 writes by default, and PKCS#12 PBE with 3DES
 * and RC2 (`openssl pkcs12 -legacy`, Windows exports; RC2 through rc2.ts, as Node's OpenSSL has no legacy
 * provider).
 */

export interface Pkcs12Contents {
  /** The first key found, PKCS#8 DER; undefined when the file has none. */
  privateKeyPkcs8?: Buffer;
  /** In file order. */
  certificatesDer: Buffer[];
}

/** Why a PFX could not be read. The message is meant for the caller; the service maps it to 400 BadParameter. */
export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
}

const HASH_OIDS: Record<string, Pkcs12KdfHash> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const HMAC_OIDS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHER_OIDS: Record<string, { cipher: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24 },
};
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';
/** pbeWithSHAAnd128BitRC2-CBC and pbeWithSHAAnd40BitRC2-CBC, with their key lengths in bytes. */
const PBE_SHA1_RC2: Record<string, number> = { '1.2.840.113549.1.12.1.5': 16, '1.2.840.113549.1.12.1.6': 5 };

/** Far above any writer's default (OpenSSL 2048, Windows 2000-10000); bounds the CPU one request can cost. */
const MAX_ITERATIONS = 1_000_000;

const UNREADABLE = 'The PFX (PKCS#12) content cannot be read: it is not a valid PKCS#12 file';
const WRONG_PASSWORD = 'The PFX (PKCS#12) content cannot be read with the password given (pwd); check the password';

export function readPkcs12(der: Buffer, password: string): Pkcs12Contents {
  const { AuthenticatedSafe, CertBag, PFX, SafeContents, id_certBag, id_keyBag, id_pkcs8ShroudedKeyBag, id_x509Certificate } = asn1Pfx();
  const { id_data } = asn1Cms();
  const { OctetString } = asn1Schema();
  const pfx = parse(der, PFX, UNREADABLE);
  if (pfx.authSafe.contentType !== id_data) throw new Pkcs12Error(`${UNREADABLE} (public-key integrity mode is not supported)`);
  const authSafeBytes = Buffer.from(parse(Buffer.from(pfx.authSafe.content), OctetString, UNREADABLE).buffer);
  // An empty password is spelled two ways by writers (00 00 or nothing); the MAC says which one this file used.
  const passwords: (string | null)[] = password === '' ? ['', null] : [password];
  const pbePassword = pfx.macData ? verifiedMacPassword(pfx, authSafeBytes, passwords) : password;

  const contents: Pkcs12Contents = { certificatesDer: [] };
  for (const info of parse(authSafeBytes, AuthenticatedSafe, UNREADABLE)) {
    for (const bag of parse(safeContentsBytes(info, pbePassword), SafeContents, UNREADABLE)) {
      const value = Buffer.from(bag.bagValue);
      if (bag.bagId === id_certBag) {
        const certBag = parse(value, CertBag, UNREADABLE);
        if (certBag.certId === id_x509Certificate) {
          contents.certificatesDer.push(Buffer.from(parse(Buffer.from(certBag.certValue), OctetString, UNREADABLE).buffer));
        }
      } else if (!contents.privateKeyPkcs8 && bag.bagId === id_keyBag) {
        contents.privateKeyPkcs8 = value;
      } else if (!contents.privateKeyPkcs8 && bag.bagId === id_pkcs8ShroudedKeyBag) {
        contents.privateKeyPkcs8 = decryptShroudedKey(value, pbePassword);
      }
    }
  }
  return contents;
}

/** The password spelling the MAC verifies with; a mismatch means the password is wrong (or the file altered). */
function verifiedMacPassword(pfx: PFX, authSafe: Buffer, passwords: (string | null)[]): string | null {
  const macData = pfx.macData;
  if (!macData) return passwords[0] ?? '';
  const hash = HASH_OIDS[macData.mac.digestAlgorithm.algorithm];
  if (!hash) throw new Pkcs12Error(`${UNREADABLE} (its MAC digest ${macData.mac.digestAlgorithm.algorithm} is not supported)`);
  const salt = Buffer.from(macData.macSalt.buffer);
  const expected = Buffer.from(macData.mac.digest.buffer);
  for (const candidate of passwords) {
    const keyLength = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }[hash];
    const key = pkcs12Kdf({ password: candidate, salt, id: 3, iterations: macData.iterations ?? 1, keyLength, hash });
    const actual = createHmac(hash, key).update(authSafe).digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return candidate;
  }
  throw new Pkcs12Error(WRONG_PASSWORD);
}

/** EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING } */
function decryptShroudedKey(bytes: Buffer, password: string | null): Buffer {
  const [algorithmField, dataField] = children(bytes);
  if (!algorithmField || dataField?.tag !== 0x04) throw new Pkcs12Error(UNREADABLE);
  const algorithm = parse(bytes.subarray(algorithmField.start, algorithmField.end), asn1X509().AlgorithmIdentifier, UNREADABLE);
  return decrypt(algorithm, bytes.subarray(dataField.contentStart, dataField.end), password);
}

function safeContentsBytes(info: ContentInfo, password: string | null): Buffer {
  const { EncryptedContentInfo, id_data, id_encryptedData } = asn1Cms();
  const { OctetString } = asn1Schema();
  if (info.contentType === id_data) return Buffer.from(parse(Buffer.from(info.content), OctetString, UNREADABLE).buffer);
  if (info.contentType !== id_encryptedData) throw new Pkcs12Error(`${UNREADABLE} (content type ${info.contentType} is not supported)`);
  // EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo EncryptedContentInfo }
  const bytes = Buffer.from(info.content);
  const outer = readDerElement(bytes);
  const fields = outer && readDerChildren(bytes, outer);
  const eciField = fields?.[1];
  if (!eciField) throw new Pkcs12Error(UNREADABLE);
  const eci = parse(bytes.subarray(eciField.start, eciField.end), EncryptedContentInfo, UNREADABLE);
  const content = eci.encryptedContent?.value ?? eci.encryptedContent?.constructedValue?.map((o) => Buffer.from(o.buffer));
  if (!content) throw new Pkcs12Error(UNREADABLE);
  const ciphertext = Array.isArray(content) ? Buffer.concat(content) : Buffer.from(content.buffer);
  return decrypt(eci.contentEncryptionAlgorithm, ciphertext, password);
}

function decrypt(algorithm: AlgorithmIdentifier, ciphertext: Buffer, password: string | null): Buffer {
  const params = algorithm.parameters ? Buffer.from(algorithm.parameters) : Buffer.alloc(0);
  let cipher: string;
  let key: Buffer;
  let iv: Buffer;
  if (algorithm.algorithm === PBES2) {
    ({ cipher, key, iv } = pbes2Key(params, password ?? ''));
  } else if (algorithm.algorithm === PBE_SHA1_3DES) {
    const [salt, iterations] = pbeParams(params);
    cipher = 'des-ede3-cbc';
    key = pkcs12Kdf({ password, salt, id: 1, iterations, keyLength: 24, hash: 'sha1' });
    iv = pkcs12Kdf({ password, salt, id: 2, iterations, keyLength: 8, hash: 'sha1' });
  } else if (algorithm.algorithm in PBE_SHA1_RC2) {
    // Node's OpenSSL has no RC2 (legacy provider), so these are decrypted by rc2.ts.
    const [salt, iterations] = pbeParams(params);
    const keyLength = PBE_SHA1_RC2[algorithm.algorithm] as number;
    const key = pkcs12Kdf({ password, salt, id: 1, iterations, keyLength, hash: 'sha1' });
    const iv = pkcs12Kdf({ password, salt, id: 2, iterations, keyLength: 8, hash: 'sha1' });
    try {
      return rc2CbcDecrypt(key, keyLength * 8, iv, ciphertext);
    } catch {
      throw new Pkcs12Error(WRONG_PASSWORD);
    }
  } else {
    throw new Pkcs12Error(`${UNREADABLE} (encryption algorithm ${algorithm.algorithm} is not supported)`);
  }
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // Without a MAC (or when it verified), bad padding means the password does not fit this encryption.
    throw new Pkcs12Error(WRONG_PASSWORD);
  }
}

function pbes2Key(params: Buffer, password: string): { cipher: string; key: Buffer; iv: Buffer } {
  const { AlgorithmIdentifier } = asn1X509();
  const [kdfField, schemeField] = children(params);
  if (!kdfField || !schemeField) throw new Pkcs12Error(UNREADABLE);
  const kdf = parse(params.subarray(kdfField.start, kdfField.end), AlgorithmIdentifier, UNREADABLE);
  const scheme = parse(params.subarray(schemeField.start, schemeField.end), AlgorithmIdentifier, UNREADABLE);
  const cipherInfo = CIPHER_OIDS[scheme.algorithm];
  if (kdf.algorithm !== PBKDF2 || !cipherInfo || !scheme.parameters) {
    throw new Pkcs12Error(`${UNREADABLE} (PBES2 with ${kdf.algorithm} and ${scheme.algorithm} is not supported)`);
  }
  const kdfParams = Buffer.from(kdf.parameters ?? new ArrayBuffer(0));
  const fields = children(kdfParams);
  const [saltField, iterationsField] = fields;
  if (saltField?.tag !== 0x04 || iterationsField?.tag !== 0x02) throw new Pkcs12Error(UNREADABLE);
  const prfField = fields.find((f, i) => i >= 2 && f.tag === 0x30);
  const prfOid = prfField ? parse(kdfParams.subarray(prfField.start, prfField.end), AlgorithmIdentifier, UNREADABLE).algorithm : '1.2.840.113549.2.7';
  const digest = HMAC_OIDS[prfOid];
  if (!digest) throw new Pkcs12Error(`${UNREADABLE} (PBKDF2 PRF ${prfOid} is not supported)`);
  const salt = kdfParams.subarray(saltField.contentStart, saltField.end);
  const iterations = integer(kdfParams.subarray(iterationsField.contentStart, iterationsField.end));
  const ivElement = readDerElement(Buffer.from(scheme.parameters));
  if (ivElement?.tag !== 0x04) throw new Pkcs12Error(UNREADABLE);
  const iv = Buffer.from(scheme.parameters).subarray(ivElement.contentStart, ivElement.end);
  // PBES2 takes the password's bytes as they are (UTF-8), unlike the PKCS#12 KDF's BMPString.
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipherInfo.keyLength, digest);
  return { cipher: cipherInfo.cipher, key, iv };
}

/** pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } */
function pbeParams(params: Buffer): [Buffer, number] {
  const [saltField, iterationsField] = children(params);
  if (saltField?.tag !== 0x04 || iterationsField?.tag !== 0x02) throw new Pkcs12Error(UNREADABLE);
  return [params.subarray(saltField.contentStart, saltField.end), integer(params.subarray(iterationsField.contentStart, iterationsField.end))];
}

function children(bytes: Buffer) {
  const outer = readDerElement(bytes);
  const fields = outer && outer.end <= bytes.length ? readDerChildren(bytes, outer) : undefined;
  if (!fields) throw new Pkcs12Error(UNREADABLE);
  return fields;
}

/** A small non-negative DER INTEGER (iteration counts); anything past 2^31 is not a sane count. */
function integer(bytes: Buffer): number {
  if (bytes.length === 0 || bytes.length > 4) throw new Pkcs12Error(`${UNREADABLE} (an iteration count is out of range)`);
  const value = bytes.readUIntBE(0, bytes.length);
  if (value < 1 || value > MAX_ITERATIONS) throw new Pkcs12Error(`${UNREADABLE} (an iteration count is out of range)`);
  return value;
}

function parse<T>(bytes: Buffer, type: new () => T, message: string): T {
  try {
    return asn1Schema().AsnConvert.parse(new Uint8Array(bytes), type);
  } catch {
    throw new Pkcs12Error(message);
  }
}
