/* eslint-disable @typescript-eslint/no-require-imports -- the point of this file: requires run on first use, not at load */

/**
 * Packages only some requests need, loaded on first use instead of when the function modules load. A new
 * Functions instance loads every function module before its first request, so whatever they import is paid by
 * each cold start; a read (a certificate, a list, a pending operation, the token check) needs none of these.
 * Each accessor `require`s the package's CommonJS build on its first call (a dynamic import() would be async,
 * and load a second, ESM copy of packages that ship both) and returns the same module after; callers take
 * types with `import type`, which loads nothing. test/unit/cold-start-modules.test.ts keeps them out of the
 * start and out of a read.
 */
export function onFirstUse<T>(load: () => T): () => T {
  let loaded: { module: T } | undefined;
  return () => (loaded ??= { module: load() }).module;
}

/** ASN.1 schemas: PKCS#12 (pkcs12.ts, pkcs12-read.ts), PKCS#7 bundles, ARI cert ids, CA name constraints. */
export const asn1Schema = onFirstUse(() => require('@peculiar/asn1-schema') as typeof import('@peculiar/asn1-schema'));
export const asn1X509 = onFirstUse(() => require('@peculiar/asn1-x509') as typeof import('@peculiar/asn1-x509'));
export const asn1Cms = onFirstUse(() => require('@peculiar/asn1-cms') as typeof import('@peculiar/asn1-cms'));
export const asn1Pfx = onFirstUse(() => require('@peculiar/asn1-pfx') as typeof import('@peculiar/asn1-pfx'));
export const asn1Pkcs9 = onFirstUse(() => require('@peculiar/asn1-pkcs9') as typeof import('@peculiar/asn1-pkcs9'));
export const asn1Rsa = onFirstUse(() => require('@peculiar/asn1-rsa') as typeof import('@peculiar/asn1-rsa'));

/** The WebCrypto that @peculiar/x509 verifies with (webcrypto-provider.ts); x509.ts loads it with the library. */
export const peculiarWebcrypto = onFirstUse(() => require('@peculiar/webcrypto') as typeof import('@peculiar/webcrypto'));

/** ECDSA over a given digest, for the keys' sign and verify operations (ecdsa-digest-signature.ts). */
export const nobleCurves = onFirstUse(() => ({
  p256: (require('@noble/curves/p256') as typeof import('@noble/curves/p256')).p256,
  p384: (require('@noble/curves/p384') as typeof import('@noble/curves/p384')).p384,
  p521: (require('@noble/curves/p521') as typeof import('@noble/curves/p521')).p521,
  secp256k1: (require('@noble/curves/secp256k1') as typeof import('@noble/curves/secp256k1')).secp256k1,
}));

/** The queue SDK, for what the app sends (storage/clients.ts); the Functions host receives, not the SDK. */
export const storageQueue = onFirstUse(() => require('@azure/storage-queue') as typeof import('@azure/storage-queue'));

/** Sign-in with the app's identity, only in Azure (auth/app-credential.ts); connection strings need none. */
export const azureIdentity = onFirstUse(() => require('@azure/identity') as typeof import('@azure/identity'));

/** ACME orders (issuers/acme/acme-http.ts configures it on load). */
export const acmeClient = onFirstUse(() => require('acme-client') as typeof import('acme-client'));

/** Only with an Event Grid topic configured (events/event-grid-topic.ts). */
export const azureEventGrid = onFirstUse(() => require('@azure/eventgrid') as typeof import('@azure/eventgrid'));

/** Only with an Azure DNS zone for ACME DNS-01 (issuers/acme/azure-dns-challenge.ts). */
export const azureArmDns = onFirstUse(() => require('@azure/arm-dns') as typeof import('@azure/arm-dns'));

/**
 * @peculiar/x509 with what it needs before it loads: the Reflect metadata polyfill its dependency injection
 * (tsyringe) reads at load. Only crypto/x509.ts calls this; everything else goes through x509() there.
 */
export const peculiarX509WithReflectMetadata = onFirstUse(() => {
  require('reflect-metadata');
  return require('@peculiar/x509') as typeof import('@peculiar/x509');
});
