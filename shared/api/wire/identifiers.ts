/**
 * Object ids. The SDK derives the vault URL, name and version from every id (`/collection/name[/version]`),
 * so ids are built from the origin the caller used, at the host root.
 */
export function certificateId(vault: string, name: string, version?: string): string {
  return `${vault}/certificates/${name}${version ? `/${version}` : ''}`;
}

/** A deleted certificate's `recoveryId`: where it is read, recovered and purged. */
export function deletedCertificateId(vault: string, name: string): string {
  return `${vault}/deletedcertificates/${name}`;
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

export function contactsId(vault: string): string {
  return `${vault}/certificates/contacts`;
}

/** What the vault URL is read from: the request's headers (case-insensitive lookup, as fetch's Headers). */
export interface RequestHeaders {
  get(name: string): string | null;
}

/**
 * The vault URL for a request: the origin the caller used, since the service sits at the root.
 *
 * The scheme is `https` whenever the request reached us over TLS: either our own socket was TLS (the URL
 * says https), or a front end terminated TLS and said so in `X-Forwarded-Proto`, as Azure's Functions front
 * end does (the worker then sees an `http://` URL). An `http://` id would be refused by the .NET SDK, which
 * follows the ids it is given. The header is trusted only to *upgrade* to https: a caller who forges it
 * gets https ids in its own response and nothing else (ids are built per response, never stored), and no
 * header can turn a TLS request's ids into http ones.
 *
 * The host is the request's own (the Host header). `X-Forwarded-Host` is deliberately not honoured: in Azure
 * the front end already delivers the public name (custom domain included) in Host and only routes bound
 * names to the app, whereas X-Forwarded-Host passes through unchecked, and an SDK that follows ids would send
 * its bearer token to whatever host they name. A proxy that rewrites Host (Front Door, Application Gateway)
 * should be set to preserve it instead.
 */
export function vaultUrlOf(requestUrl: string, headers: RequestHeaders): string {
  const url = new URL(requestUrl);
  if (url.protocol === 'https:') return url.origin;
  // A chain of proxies appends to the list; the first entry is the scheme the caller used at the outer edge.
  const forwarded = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' ? new URL(`https://${url.host}`).origin : url.origin;
}
