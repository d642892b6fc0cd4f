import type * as X509 from '@peculiar/x509';
import { onFirstUse, peculiarX509WithReflectMetadata } from '../lazy-packages';
import { webcrypto } from './webcrypto-provider';

/**
 * The one entry point to @peculiar/x509 in this app, loaded on the first call (../lazy-packages.ts says why):
 * `x509().X509Certificate`. Loading it from here guarantees the Reflect metadata polyfill its dependency
 * injection (tsyringe) needs comes first, and that the library's default crypto provider can handle every Key
 * Vault key kind (including P-256K), so `.verify()` works without arguments. Types: `X509.Extension` etc.
 */
export const x509 = onFirstUse((): typeof X509 => {
  const library = peculiarX509WithReflectMetadata();
  library.cryptoProvider.set(webcrypto());
  return library;
});

export type { X509 };
