import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The local key-encryption key: 32 random bytes, kept (base64) in a file readable by its owner only, so
 * private keys stored in the local Azurite stay readable across restarts. Never regenerated once it exists:
 * a new key would make every stored private key undecryptable.
 */
export async function ensureKeyEncryptionKey(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('base64');
  try {
    // 'wx' fails if the file exists, so two hosts starting at once cannot each write a different key.
    await writeFile(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = (await readFile(file, 'utf8')).trim();
  if (Buffer.from(existing, 'base64').length !== 32) {
    throw new Error(`${file} does not hold a 32-byte base64 key; fix or delete it (deleting loses access to stored private keys).`);
  }
  return existing;
}
