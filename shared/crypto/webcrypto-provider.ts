import { Crypto } from '@peculiar/webcrypto';

/**
 * @peculiar/webcrypto wraps Node's OpenSSL-backed crypto and knows secp256k1 (Key Vault's P-256K, "K-256"),
 * which Node's own WebCrypto lacks; it is the default provider of @peculiar/x509, so `.verify()` works for
 * every key kind. The app signs with Node's crypto directly (signing-key.ts), not through WebCrypto.
 */
export const webcrypto: globalThis.Crypto = new Crypto() as unknown as globalThis.Crypto;
