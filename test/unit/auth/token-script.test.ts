import { join } from 'node:path';
import { createLocalToken, main, parseTokenCommand, UsageError } from '../../../scripts/token';
import { authenticate } from '../../../shared/auth/authenticate';
import { createTokenVerifier } from '../../../shared/auth/token-verifier';
import type { AuthConfig } from '../../../shared/config';
import { headersOf, temporaryDirectory } from './helpers';

let dir: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  dir = await temporaryDirectory();
});
afterEach(() => {
  jest.restoreAllMocks();
  return dir.remove();
});

describe('npm run token', () => {
  it('defaults to the key file and audience the local host uses, and the local developer role (Key Vault Administrator)', () => {
    expect(parseTokenCommand([], {})).toEqual({
      keyFile: '.local/auth-signing-key.json',
      audience: 'https://vault.azure.net',
      lifetimeSeconds: 86_400,
      roles: ['KeyVault.Administrator'],
    });
  });

  it("follows LOCAL_DATA_DIR to the key npm start keeps there, unless AUTH_LOCAL_KEY_FILE names one", () => {
    expect(parseTokenCommand([], { LOCAL_DATA_DIR: '/tmp/kv-data' }).keyFile).toBe('/tmp/kv-data/auth-signing-key.json');
    expect(parseTokenCommand([], { LOCAL_DATA_DIR: 'state/a' }).keyFile).toBe('state/a/auth-signing-key.json');
    expect(parseTokenCommand([], { LOCAL_DATA_DIR: '/tmp/kv-data', AUTH_LOCAL_KEY_FILE: 'mine.json' }).keyFile).toBe('mine.json');
  });

  it('takes --roles, comma-separated, by value or by Key Vault name, and --roles "" for none', () => {
    expect(parseTokenCommand(['--roles', 'KeyVault.Reader, key vault secrets user'], {}).roles).toEqual(['KeyVault.Reader', 'KeyVault.SecretsUser']);
    expect(parseTokenCommand(['--roles', 'Key Vault Certificates Officer', '--role', 'Custom'], {}).roles).toEqual([
      'KeyVault.CertificatesOfficer',
      'Custom',
    ]);
    expect(parseTokenCommand(['--roles', ''], {}).roles).toEqual([]);
  });

  it('reads AUTH_LOCAL_KEY_FILE, AUTH_AUDIENCE and the flags', () => {
    const env = { AUTH_LOCAL_KEY_FILE: '/tmp/k.json', AUTH_AUDIENCE: 'https://certs.example.com' };
    expect(parseTokenCommand(['--lifetime', '60', '--role', 'a', '--role=b', '--subject', 'bob'], env)).toEqual({
      keyFile: '/tmp/k.json',
      audience: 'https://certs.example.com',
      lifetimeSeconds: 60,
      roles: ['a', 'b'],
      subject: 'bob',
    });
  });

  it('takes the audience from --audience over AUTH_AUDIENCE, for a host deployed with its own', () => {
    const command = parseTokenCommand(['--audience', 'api://certs'], { AUTH_AUDIENCE: 'https://certs.example.com' });
    expect(command.audience).toBe('api://certs');
  });

  it.each([['--lifetime', 'soon'], ['--lifetime', '0'], ['--lifetime', '1.5'], ['--colour'], ['extra']])('rejects %j', (...argv) => {
    expect(() => parseTokenCommand(argv, {})).toThrow(UsageError);
  });

  it('creates the key and a token that authenticate accepts', async () => {
    const keyFile = join(dir.path, '.local', 'auth-signing-key.json');
    const token = await createLocalToken({ ...parseTokenCommand(['--role', 'Admin'], {}), keyFile });
    const auth: AuthConfig = { mode: 'local', keyFile, audience: 'https://vault.azure.net' };
    const result = await authenticate(headersOf({ Authorization: `Bearer ${token}` }), createTokenVerifier(auth), auth);
    expect(result).toMatchObject({ ok: true, caller: { subject: 'local-user', roles: ['Admin'] } });
  });

  it('prints only the token and a newline', async () => {
    const out: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
    const keyFile = join(dir.path, 'key.json');
    expect(await main(['--lifetime', '120'], { AUTH_LOCAL_KEY_FILE: keyFile, AUTH_MODE: 'local' })).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const auth: AuthConfig = { mode: 'local', keyFile, audience: 'https://vault.azure.net' };
    const verifier = createTokenVerifier(auth, { now: () => new Date(Date.now() + 200_000) });
    expect(await authenticate(headersOf({ Authorization: `Bearer ${(out[0] ?? '').trim()}` }), verifier, auth)).toMatchObject({
      ok: false,
      body: { error: { message: 'Token is expired.' } },
    });
  });

  it('reports a bad flag on stderr with exit code 2 and prints nothing on stdout', async () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
    expect(await main(['--lifetime', 'x'], { AUTH_LOCAL_KEY_FILE: join(dir.path, 'k.json') })).toBe(2);
    expect(out).not.toHaveBeenCalled();
    expect(err.join('')).toMatch(/--lifetime must be a positive whole number/);
  });
});
