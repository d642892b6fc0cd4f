import { onFirstUse, peculiarWebcrypto } from '../lazy-packages';

/**
 * @peculiar/webcrypto wraps Node's OpenSSL-backed crypto and knows secp256k1 (Key Vault's P-256K, "K-256"),
 * which Node's own WebCrypto lacks; it is the default provider of @peculiar/x509, so `.verify()` works for
 * every key kind. The app signs with Node's crypto directly (signing-key.ts), not through WebCrypto.
 * Made on first use, with @peculiar/x509 (x509.ts).
 */
export const webcrypto = onFirstUse((): globalThis.Crypto => new (peculiarWebcrypto().Crypto)() as unknown as globalThis.Crypto);
