/**
 * Object ids. The SDK derives the vault URL, name and version from every id (`/collection/name[/version]`),
 * so ids are built from the origin the caller used, at the host root.
 */
export function certificateId(vault: string, name: string, version?: string): string {
  return `${vault}/certificates/${name}${version ? `/${version}` : ''}`;
}

export function pendingId(vault: string, name: string): string {
  return `${vault}/certificates/${name}/pending`;
}

export function policyId(vault: string, name: string): string {
  return `${vault}/certificates/${name}/policy`;
}

export function keyId(vault: string, name: string, version: string): string {
  return `${vault}/keys/${name}/${version}`;
}

export function secretId(vault: string, name: string, version: string): string {
  return `${vault}/secrets/${name}/${version}`;
}

export function issuerId(vault: string, name: string): string {
  return `${vault}/certificates/issuers/${name}`;
}

/** The vault URL for a request: its origin (scheme, host and port), since the service sits at the root. */
export function vaultUrlOf(requestUrl: string): string {
  return new URL(requestUrl).origin;
}
