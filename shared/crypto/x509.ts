/**
 * The one entry point to @peculiar/x509 in this app. Importing it from here guarantees the Reflect
 * metadata polyfill its dependency injection (tsyringe) needs is loaded before the library, and that the library's default crypto provider
 * can handle every Key Vault key kind (including P-256K), so `.verify()` works without arguments.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from './webcrypto-provider';

x509.cryptoProvider.set(webcrypto);

export { x509 };
