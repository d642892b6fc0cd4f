/**
 * The members of Key Vault's bodies (and of this service's own lifetime and issuer_job additions) that the
 * page reads. Everything optional that the service may leave out; times are unix seconds, as on the wire.
 */

export interface KeyVaultErrorBody {
  error?: { code?: string; message?: string };
}

export interface Page<T> {
  value?: T[];
  nextLink?: string | null;
}

export interface Attributes {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  created?: number;
  updated?: number;
}

export interface PolicyWire {
  id?: string;
  attributes?: { enabled?: boolean; created?: number; updated?: number };
  key_props?: { kty?: string; key_size?: number; crv?: string; exportable?: boolean; reuse_key?: boolean };
  secret_props?: { contentType?: string };
  x509_props?: { subject?: string; sans?: { dns_names?: string[]; emails?: string[]; upns?: string[] }; validity_months?: number };
  issuer?: { name?: string; cty?: string };
  lifetime_actions?: { trigger?: { lifetime_percentage?: number; days_before_expiry?: number }; action?: { action_type?: string } }[];
}

export interface CertificateItem {
  id: string;
  x5t?: string;
  attributes?: Attributes;
}

export interface CertificateBundle {
  id: string;
  x5t?: string;
  cer?: string;
  attributes?: Attributes;
  policy?: PolicyWire;
  pending?: { id: string };
}

export interface LifetimeWire {
  version?: string;
  expires?: number;
  next_action?: { action_type: string; version?: string; trigger_at?: number; due_at?: number; retry?: boolean };
  last_renewal?: { attempt?: number; outcome?: string; at?: number; from_version?: string; error?: { code?: string; message?: string }; next_retry_at?: number };
}

export interface OperationWire {
  id: string;
  issuer?: { name?: string };
  status?: string;
  status_details?: string;
  cancellation_requested?: boolean;
  error?: { code?: string; message?: string };
  request_id?: string;
  issuer_job?: { attempts?: number; max_attempts?: number; last_attempt?: number; next_attempt?: number; last_error?: string };
}

export interface IssuerItem {
  id: string;
  provider?: string;
}

/** The last path segment of an object id: `https://vault/certificates/web-1` → `web-1`. */
export function nameOf(id: string): string {
  const path = id.replace(/^https?:\/\/[^/]+/, '');
  const segments = path.split('/').filter((s) => s !== '');
  // certificates/{name}[/{version}] or certificates/issuers/{name}
  if (segments[0] === 'certificates' && segments[1] === 'issuers') return decodeURIComponent(segments[2] ?? '');
  return decodeURIComponent(segments[1] ?? '');
}
