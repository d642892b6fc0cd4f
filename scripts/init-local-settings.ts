import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../shared/config';
import { ensureKeyEncryptionKey } from './local-host/key-encryption-key';

/**
 * `npm run settings`: writes local.settings.json for `func start` from local.settings.sample.json, with the
 * key-encryption key of `npm start` (.local/key-encryption-key, made if missing). Both hosts then read the
 * same certificates: a key of its own would make every private key stored by the other unreadable.
 * An existing local.settings.json is never overwritten.
 */
export async function initLocalSettings(root: string): Promise<string> {
  const target = path.join(root, 'local.settings.json');
  if (existsSync(target)) {
    throw new Error(`${target} exists already; it is left as it is (delete it to start again from the sample).`);
  }
  const sample = JSON.parse(readFileSync(path.join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
  sample.Values[SETTINGS.keyEncryptionKey] = await ensureKeyEncryptionKey(path.join(root, '.local', 'key-encryption-key'));
  writeFileSync(target, `${JSON.stringify(sample, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return target;
}
