import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureKeyEncryptionKey } from '../../../scripts/local-host/key-encryption-key';
import { applyLocalSettings } from '../../../scripts/local-host/local-settings';
import { initLocalSettings } from '../../../scripts/init-local-settings';

describe('local data for npm start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'local-host-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('key-encryption key', () => {
    it('creates a private 32-byte key once and keeps it', async () => {
      const file = path.join(dir, '.local', 'key-encryption-key');
      const first = await ensureKeyEncryptionKey(file);
      expect(Buffer.from(first, 'base64')).toHaveLength(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await ensureKeyEncryptionKey(file)).toBe(first);
    });

    it('refuses a damaged key file instead of replacing it', async () => {
      const file = path.join(dir, 'key-encryption-key');
      writeFileSync(file, 'too-short');
      await expect(ensureKeyEncryptionKey(file)).rejects.toThrow(/32-byte/);
      expect(readFileSync(file, 'utf8')).toBe('too-short');
    });
  });

  describe('local.settings.json', () => {
    it('fills unset variables from Values and leaves set ones alone', () => {
      const file = path.join(dir, 'local.settings.json');
      writeFileSync(file, JSON.stringify({ IsEncrypted: false, Values: { A: 'from-file', B: 'from-file', N: 3, FLAG: true } }));
      const env: NodeJS.ProcessEnv = { B: 'from-env' };
      expect(applyLocalSettings(file, env).sort()).toEqual(['A', 'FLAG', 'N']);
      expect(env).toEqual({ A: 'from-file', B: 'from-env', N: '3', FLAG: 'true' });
    });

    it('ignores a missing file and reports a broken one', () => {
      expect(applyLocalSettings(path.join(dir, 'absent.json'), {})).toEqual([]);
      const broken = path.join(dir, 'broken.json');
      writeFileSync(broken, '{ nope');
      expect(() => applyLocalSettings(broken, {})).toThrow(/not valid JSON/);
    });
  });

  describe('npm run settings (local.settings.json for func start)', () => {
    const repoRoot = path.join(__dirname, '../../..');
    it('copies the sample with the key-encryption key npm start uses, so both hosts read the same certificates', async () => {
      writeFileSync(path.join(dir, 'local.settings.sample.json'), readFileSync(path.join(repoRoot, 'local.settings.sample.json')));
      const key = await ensureKeyEncryptionKey(path.join(dir, '.local', 'key-encryption-key'));
      const file = await initLocalSettings(dir);
      const written = JSON.parse(readFileSync(file, 'utf8')) as { Values: Record<string, string> };
      expect(written.Values.KEY_ENCRYPTION_KEY).toBe(key);
      expect(written.Values.AUTH_MODE).toBe('local');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('never overwrites an existing local.settings.json', async () => {
      writeFileSync(path.join(dir, 'local.settings.sample.json'), readFileSync(path.join(repoRoot, 'local.settings.sample.json')));
      writeFileSync(path.join(dir, 'local.settings.json'), '{"Values":{"MINE":"1"}}');
      await expect(initLocalSettings(dir)).rejects.toThrow(/exists already/);
      expect(readFileSync(path.join(dir, 'local.settings.json'), 'utf8')).toBe('{"Values":{"MINE":"1"}}');
    });
  });
});
