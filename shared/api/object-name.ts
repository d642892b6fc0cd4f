import { errors } from './errors';

/** Key Vault object names: 1–127 characters of letters, digits and dashes. */
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

export function requireObjectName(name: string | undefined): string {
  if (name === undefined || !NAME.test(name)) throw errors.invalidName(name ?? '');
  return name;
}
