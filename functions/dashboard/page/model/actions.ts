import type { PolicyWire } from './wire';

/**
 * The bodies of the certificate actions the page offers, apart from the DOM, so they can be tested.
 *
 * Key Vault has no "renew" call: a new version is a create (POST /certificates/{name}/create) with the
 * certificate's policy, which is what the portal's "New version" and the SDKs' beginCreateCertificate with
 * the policy they just read do. The policy goes back as it was read, less what the service writes itself (its
 * id and times): the create takes the policy's fields, not its identity.
 */
export function renewRequestOf(policy: PolicyWire): { policy: PolicyWire } {
  const { id: _id, attributes, ...rest } = policy;
  void _id;
  return { policy: { ...rest, ...(attributes?.enabled !== undefined ? { attributes: { enabled: attributes.enabled } } : {}) } };
}

/** PATCH /certificates/{name}/ with this turns the latest version on or off; nothing else changes. */
export function enabledPatchOf(enabled: boolean): { attributes: { enabled: boolean } } {
  return { attributes: { enabled } };
}

export type MergeRequest = { ok: true; body: { x5c: string[] } } | { ok: false; message: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A DER certificate starts with a SEQUENCE (0x30): base64 "MI…". Enough to catch a paste of the wrong thing. */
function looksLikeDer(base64: string): boolean {
  return BASE64.test(base64) && base64.length % 4 === 0 && base64.startsWith('MI');
}

/**
 * The merge body (POST /certificates/{name}/pending/merge, `{"x5c": [...]}`) from what an operator pastes: one
 * or more PEM certificates, or base64 DER certificates one per line. The leaf first, as the CA returned it;
 * the service finds the one for the pending key. A private key is refused outright: the vault made the key,
 * and it never leaves nor enters through this page.
 */
export function mergeRequestOf(text: string): MergeRequest {
  if (/PRIVATE KEY/.test(text)) return { ok: false, message: 'This contains a private key. Paste the certificate chain only: the vault already holds the key for this request.' };
  const blocks = [...text.matchAll(PEM_BLOCK)];
  let x5c: string[];
  if (blocks.length > 0) {
    const other = blocks.find((block) => block[1] !== 'CERTIFICATE');
    if (other) return { ok: false, message: `A PEM block of type "${other[1]}" is not a certificate. Paste "BEGIN CERTIFICATE" blocks only.` };
    x5c = blocks.map((block) => (block[2] ?? '').replace(/\s+/g, ''));
  } else {
    x5c = text.split(/[\s,]+/).filter((part) => part !== '');
  }
  if (x5c.length === 0) return { ok: false, message: 'Paste the signed certificate (PEM, or base64 DER), with its chain if the CA gave one.' };
  const bad = x5c.findIndex((cert) => !looksLikeDer(cert));
  if (bad >= 0) return { ok: false, message: `Certificate ${bad + 1} is not a base64 DER certificate.` };
  return { ok: true, body: { x5c } };
}
