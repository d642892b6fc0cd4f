import { formatTime } from './format';
import { nameOf } from './wire';

/** GET /certificates/issuers/{name}: an IssuerBundle, whatever else it carries (credentials included). */
export interface IssuerBundleWire {
  id?: string;
  provider?: string;
  credentials?: unknown;
  org_details?: { id?: string; admin_details?: { first_name?: string; last_name?: string; email?: string; phone?: string }[] };
  attributes?: { enabled?: boolean; created?: number; updated?: number };
}

/** GET /certificates/contacts. */
export interface ContactsWire {
  contacts?: { email?: string; name?: string; phone?: string }[];
}

/** What the issuers view shows of one issuer: words only, each of them chosen here. */
export interface IssuerView {
  name: string;
  provider: string;
  enabled: string;
  created: string;
  updated: string;
  /** Who the issuer's organisation names as its administrators: names and e-mail addresses, nothing else. */
  admins: string[];
}

/**
 * An issuer as the page shows it. A whitelist, not a filter: `credentials` (an ACME account or EAB key, a CA's
 * account and password) and the organisation id never reach the page's text, whatever the service sends.
 * The service never returns a password anyway (shared/api/wire/issuer.wire.ts); this holds if that changes.
 */
export function issuerViewOf(bundle: IssuerBundleWire): IssuerView {
  const time = (seconds: number | undefined) => formatTime(seconds === undefined ? undefined : seconds * 1000);
  const enabled = bundle.attributes?.enabled;
  return {
    name: nameOf(bundle.id ?? ''),
    provider: bundle.provider ?? '',
    enabled: enabled === undefined ? '—' : enabled ? 'yes' : 'no',
    created: time(bundle.attributes?.created),
    updated: time(bundle.attributes?.updated),
    admins: (bundle.org_details?.admin_details ?? []).map((admin) => [[admin.first_name, admin.last_name].filter(Boolean).join(' '), admin.email].filter(Boolean).join(' ')).filter((text) => text !== ''),
  };
}

/** The vault's contacts, one line each: name, e-mail, phone. */
export function contactLinesOf(body: ContactsWire | undefined): string[] {
  return (body?.contacts ?? []).map((contact) => [contact.name, contact.email, contact.phone].filter(Boolean).join(' · '));
}
