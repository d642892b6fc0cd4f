import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_AUDIENCE, SETTINGS } from '../shared/config';
import { DEFAULT_LOCAL_KEY_FILE, DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS } from '../shared/auth/constants';
import { ensureLocalSigningKey, issueLocalToken } from '../shared/auth/local-signing-key';
import { isKnownRole, KEY_VAULT_ROLES, LOCAL_DEVELOPER_ROLE, roleValueOf } from '../shared/auth/roles';
import { applyLocalSettings } from './local-host/local-settings';

/**
 * `npm run --silent token`: prints a bearer token the local host accepts (AUTH_MODE=local), and nothing else,
 * so it can be captured: `TOKEN=$(npm run --silent token)`.
 *
 *   --lifetime <seconds>   default 86400 (24 h)
 *   --roles <a,b,...>      the app roles of the `roles` claim, comma-separated: Key Vault's roles by value
 *                          (KeyVault.Reader) or name ("Key Vault Reader"); default KeyVault.Administrator
 *                          (the local developer may do everything); `--roles ''` for a token without roles
 *   --role <name>          one role; repeat for several (adds to --roles)
 *   --subject <name>       the `sub` claim; default local-user
 *   --audience <uri>       the `aud` claim; default AUTH_AUDIENCE, else https://vault.azure.net
 *
 * Reads AUTH_LOCAL_KEY_FILE (default .local/auth-signing-key.json, or auth-signing-key.json in LOCAL_DATA_DIR when
 * that is set, as `npm start` keeps it there; relative to the current directory, as the
 * local host resolves it) and creates the key file if it does not exist yet. `npm run token` runs it through
 * scripts/launch.cjs, from the repository root, compiling first only when the build is missing or stale.
 */

export interface TokenCommand {
  keyFile: string;
  audience: string;
  lifetimeSeconds: number;
  roles: string[];
  subject?: string;
}

export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

const USAGE =
  'usage: npm run --silent token -- [--lifetime <seconds>] [--roles <a,b,...>] [--role <name>]... [--subject <name>] [--audience <uri>]\n' +
  `roles: ${KEY_VAULT_ROLES.map((role) => role.value).join(', ')} (default ${LOCAL_DEVELOPER_ROLE})`;

export function parseTokenCommand(argv: readonly string[], env: NodeJS.ProcessEnv): TokenCommand {
  let values: { lifetime?: string; role?: string[]; roles?: string; subject?: string; audience?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        lifetime: { type: 'string' },
        role: { type: 'string', multiple: true },
        roles: { type: 'string' },
        subject: { type: 'string' },
        audience: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (values.help) throw new UsageError('');
  let lifetimeSeconds = DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS;
  if (values.lifetime !== undefined) {
    lifetimeSeconds = Number(values.lifetime);
    if (!/^\d+$/.test(values.lifetime.trim()) || !Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new UsageError(`--lifetime must be a positive whole number of seconds, got "${values.lifetime}"`);
    }
  }
  return {
    keyFile: env[SETTINGS.authLocalKeyFile]?.trim() || localDataKeyFile(env) || DEFAULT_LOCAL_KEY_FILE,
    audience: values.audience?.trim() || env[SETTINGS.authAudience]?.trim() || DEFAULT_AUDIENCE,
    lifetimeSeconds,
    roles: rolesOf(values.roles, values.role),
    ...(values.subject ? { subject: values.subject } : {}),
  };
}

/** Where `npm start` keeps its signing key when LOCAL_DATA_DIR moves its data folder (scripts/local-host/main.ts). */
function localDataKeyFile(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.LOCAL_DATA_DIR?.trim();
  return dir ? path.join(dir, 'auth-signing-key.json') : undefined;
}

/** `--roles` (comma-separated) and `--role`s, as role values; neither given: the local developer's role. */
function rolesOf(list: string | undefined, single: string[] | undefined): string[] {
  if (list === undefined && single === undefined) return [LOCAL_DEVELOPER_ROLE];
  const typed = [...(list ?? '').split(','), ...(single ?? [])].filter((role) => role.trim() !== '');
  return [...new Set(typed.map(roleValueOf))];
}

/** The script's work without the process around it: ensure the key, sign a token. */
export async function createLocalToken(command: TokenCommand): Promise<string> {
  await ensureLocalSigningKey(command.keyFile);
  return issueLocalToken(command.keyFile, {
    audience: command.audience,
    lifetimeSeconds: command.lifetimeSeconds,
    roles: command.roles,
    ...(command.subject ? { subject: command.subject } : {}),
  });
}

export async function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    // The host reads local.settings.json too (AUTH_AUDIENCE, AUTH_LOCAL_KEY_FILE): a token must match it.
    const settings = { ...env };
    applyLocalSettings('local.settings.json', settings);
    const command = parseTokenCommand(argv, settings);
    const mode = settings[SETTINGS.authMode]?.trim();
    if (mode && mode !== 'local') {
      process.stderr.write(`token: note: ${SETTINGS.authMode} is "${mode}"; local tokens are accepted only in local mode\n`);
    }
    const unknown = command.roles.filter((role) => !isKnownRole(role));
    if (unknown.length > 0) {
      process.stderr.write(`token: note: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a Key Vault role and grant${unknown.length === 1 ? 's' : ''} nothing; known: ${KEY_VAULT_ROLES.map((r) => r.value).join(', ')}\n`);
    }
    process.stdout.write(`${await createLocalToken(command)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      // `--help` is a UsageError without a message: usage on stderr (stdout is for the token only), success.
      process.stderr.write(error.message ? `token: ${error.message}\n${USAGE}\n` : `${USAGE}\n`);
      return error.message ? 2 : 0;
    }
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
