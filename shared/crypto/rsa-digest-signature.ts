import { type KeyObject, constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * RSA signatures over a digest the caller already computed, as Key Vault's `sign`/`verify` take them.
 * Node's crypto.sign always hashes its input, so the padding is applied here and OpenSSL does the raw RSA
 * operation (with its blinding): PKCS#1 v1.5 (RS*) by DigestInfo + OpenSSL's type-1 padding, PSS (PS*) by
 * EMSA-PSS (RFC 8017 §9.1) with a salt as long as the hash, as Key Vault and JOSE use.
 */
export const RSA_SIGNATURE_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type RsaSignatureAlgorithm = (typeof RSA_SIGNATURE_ALGORITHMS)[number];

type Hash = 'sha256' | 'sha384' | 'sha512';

const HASH_OF: Record<RsaSignatureAlgorithm, Hash> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
};

const HASH_BYTES: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** DER of DigestInfo's AlgorithmIdentifier and OCTET STRING header, per hash (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export function isRsaSignatureAlgorithm(alg: string): alg is RsaSignatureAlgorithm {
  return (RSA_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg);
}

/** How many bytes the digest for `alg` must have. */
export function rsaDigestLength(alg: RsaSignatureAlgorithm): number {
  return HASH_BYTES[HASH_OF[alg]];
}

export function rsaSignDigest(privateKey: KeyObject, alg: RsaSignatureAlgorithm, digest: Buffer): Buffer {
  const hash = HASH_OF[alg];
  if (alg.startsWith('RS')) {
    return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]));
  }
  const modulusBytes = modulusLength(privateKey);
  const encoded = emsaPssEncode(digest, modulusBits(privateKey) - 1, hash);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, leftPad(encoded, modulusBytes));
}

export function rsaVerifyDigest(publicKey: KeyObject, alg: RsaSignatureAlgorithm, digest: Buffer, signature: Buffer): boolean {
  const hash = HASH_OF[alg];
  if (signature.length !== modulusLength(publicKey)) return false;
  try {
    if (alg.startsWith('RS')) {
      const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
      const expected = Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    }
    const raw = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
    return emsaPssVerify(digest, raw, modulusBits(publicKey) - 1, hash);
  } catch {
    // OpenSSL refuses a signature that is not below the modulus or whose padding is wrong: not valid.
    return false;
  }
}

function modulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits || key.asymmetricKeyType !== 'rsa') throw new Error('Not an RSA key');
  return bits;
}

function modulusLength(key: KeyObject): number {
  return Math.ceil(modulusBits(key) / 8);
}

function leftPad(bytes: Buffer, length: number): Buffer {
  return bytes.length >= length ? bytes : Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}

function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * HASH_BYTES[hash] < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The bits above emBits in the first byte, which EMSA-PSS keeps zero so EM is below the modulus. */
function topMask(emBits: number, emLength: number): number {
  return 0xff >> (8 * emLength - emBits);
}

/** RFC 8017 §9.1.1, salt length = hash length. */
function emsaPssEncode(mHash: Buffer, emBits: number, hash: Hash): Buffer {
  const hLen = HASH_BYTES[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < 2 * hLen + 2) throw new Error('RSA key too short for PSS with this hash');
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([0x01]), salt]);
  const mask = mgf1(h, db.length, hash);
  const maskedDb = Buffer.from(db.map((b, i) => b ^ (mask[i] ?? 0)));
  maskedDb[0] = (maskedDb[0] ?? 0) & topMask(emBits, emLen);
  return Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
}

/** RFC 8017 §9.1.2 on s^e mod n (modulus-length bytes), salt length = hash length. */
function emsaPssVerify(mHash: Buffer, raw: Buffer, emBits: number, hash: Hash): boolean {
  const hLen = HASH_BYTES[hash];
  const emLen = Math.ceil(emBits / 8);
  if (raw.subarray(0, raw.length - emLen).some((b) => b !== 0)) return false;
  const em = raw.subarray(raw.length - emLen);
  if (mHash.length !== hLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if (((maskedDb[0] ?? 0) & ~topMask(emBits, emLen)) !== 0) return false;
  const mask = mgf1(h, maskedDb.length, hash);
  const db = Buffer.from(maskedDb.map((b, i) => b ^ (mask[i] ?? 0)));
  db[0] = (db[0] ?? 0) & topMask(emBits, emLen);
  const psLength = emLen - 2 * hLen - 2;
  if (db.subarray(0, psLength).some((b) => b !== 0) || db[psLength] !== 0x01) return false;
  const salt = db.subarray(db.length - hLen);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return timingSafeEqual(expected, h);
}
