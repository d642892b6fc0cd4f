import { type KeyObject, createECDH, randomBytes } from 'node:crypto';
import { type EcCurve, opensslCurveName } from './key-spec';

/**
 * ECDSA over a digest the caller already computed, as Key Vault's `sign`/`verify` take it (Node's crypto
 * only signs messages it hashes itself). Signatures are r||s, each the curve's size (JWS / IEEE P1363).
 *
 * Signing leaves the secret-dependent scalar multiplication k·G to OpenSSL (through ECDH); the remaining
 * arithmetic mod n is BigInt, with the nonce's inverse blinded by a random factor. Verifying uses only public
 * values, so it is plain BigInt affine arithmetic.
 */
export const EC_SIGNATURE_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'ES256K'] as const;
export type EcSignatureAlgorithm = (typeof EC_SIGNATURE_ALGORITHMS)[number];

/** Each algorithm goes with one curve, as in JOSE and Key Vault; the digest is that curve's hash size. */
const CURVE_OF: Record<EcSignatureAlgorithm, EcCurve> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', ES256K: 'P-256K' };
const DIGEST_BYTES: Record<EcSignatureAlgorithm, number> = { ES256: 32, ES384: 48, ES512: 64, ES256K: 32 };

interface CurveParameters {
  p: bigint;
  a: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
}

/** SEC 2 / FIPS 186-4 domain parameters (as `openssl ecparam -param_enc explicit -text` prints them). */
const CURVES: Record<EcCurve, CurveParameters> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
  'P-521': {
    p: 0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
    a: 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffcn,
    n: 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    gx: 0xc6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
  },
  'P-256K': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0n,
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
    gx: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
    gy: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
  },
};

export function isEcSignatureAlgorithm(alg: string): alg is EcSignatureAlgorithm {
  return (EC_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg);
}

export function ecCurveOf(alg: EcSignatureAlgorithm): EcCurve {
  return CURVE_OF[alg];
}

export function ecDigestLength(alg: EcSignatureAlgorithm): number {
  return DIGEST_BYTES[alg];
}

export function ecdsaSignDigest(privateKey: KeyObject, curve: EcCurve, digest: Buffer): Buffer {
  const { n } = CURVES[curve];
  const size = byteLength(n);
  const d = fromBase64url(privateKey.export({ format: 'jwk' }).d);
  const z = digestToInteger(digest, n);
  for (;;) {
    const k = randomScalar(n);
    const ecdh = createECDH(opensslCurveName(curve));
    ecdh.setPrivateKey(toBytes(k, size));
    const point = ecdh.getPublicKey();
    const r = fromBytes(point.subarray(1, 1 + fieldLength(curve))) % n;
    if (r === 0n) continue;
    const blind = randomScalar(n);
    const s = (modInverse((k * blind) % n, n) * ((blind * ((z + r * d) % n)) % n)) % n;
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r, size), toBytes(s, size)]);
  }
}

export function ecdsaVerifyDigest(publicKey: KeyObject, curve: EcCurve, digest: Buffer, signature: Buffer): boolean {
  const params = CURVES[curve];
  const { n } = params;
  const size = byteLength(n);
  if (signature.length !== 2 * size) return false;
  const r = fromBytes(signature.subarray(0, size));
  const s = fromBytes(signature.subarray(size));
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const jwk = publicKey.export({ format: 'jwk' });
  const q: Point = { x: fromBase64url(jwk.x), y: fromBase64url(jwk.y) };
  const w = modInverse(s, n);
  const z = digestToInteger(digest, n);
  const sum = add(params, multiply(params, (z * w) % n, { x: params.gx, y: params.gy }), multiply(params, (r * w) % n, q));
  return sum !== undefined && sum.x % n === r;
}

/** An affine point; undefined is the point at infinity. */
type Point = { x: bigint; y: bigint };

function add(c: CurveParameters, p1: Point | undefined, p2: Point | undefined): Point | undefined {
  if (!p1) return p2;
  if (!p2) return p1;
  const { p } = c;
  let slope: bigint;
  if (p1.x === p2.x) {
    if ((p1.y + p2.y) % p === 0n) return undefined;
    slope = (((3n * p1.x * p1.x + c.a) % p) * modInverse((2n * p1.y) % p, p)) % p;
  } else {
    slope = (mod(p2.y - p1.y, p) * modInverse(mod(p2.x - p1.x, p), p)) % p;
  }
  const x = mod(slope * slope - p1.x - p2.x, p);
  return { x, y: mod(slope * (p1.x - x) - p1.y, p) };
}

/** Double-and-add: only ever given public scalars (verification). */
function multiply(c: CurveParameters, scalar: bigint, point: Point): Point | undefined {
  let result: Point | undefined;
  let addend: Point | undefined = point;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(c, result, addend);
    addend = add(c, addend, addend);
  }
  return result;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Extended Euclid; m is prime and a is not a multiple of it wherever this is called. */
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

/** FIPS 186-4 §6.4: the leftmost bit-length-of-n bits of the digest. */
function digestToInteger(digest: Buffer, n: bigint): bigint {
  const z = fromBytes(digest);
  const excess = digest.length * 8 - n.toString(2).length;
  return excess > 0 ? z >> BigInt(excess) : z;
}

/** Uniform in [1, n-1]: 64 extra random bits make the bias of the reduction negligible. */
function randomScalar(n: bigint): bigint {
  return (fromBytes(randomBytes(byteLength(n) + 8)) % (n - 1n)) + 1n;
}

function byteLength(n: bigint): number {
  return Math.ceil(n.toString(2).length / 8);
}

function fieldLength(curve: EcCurve): number {
  return byteLength(CURVES[curve].p);
}

function fromBytes(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function fromBase64url(text: string | undefined): bigint {
  if (!text) throw new Error('EC key is missing a JWK member');
  return fromBytes(Buffer.from(text, 'base64url'));
}

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}
