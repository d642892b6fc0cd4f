import { createHash } from 'node:crypto';

/**
 * Certificate events in Key Vault's Event Grid schema ("Azure Key Vault as Event Grid source"): the same
 * envelope, event types and data fields, so a handler written for Key Vault's events reads ours unchanged.
 * Pure: the caller hands in the time and where the vault is.
 */

/** Key Vault's three certificate events, and the one it lacks (ours, named in the same style). */
export const CERTIFICATE_EVENT_TYPES = {
  newVersionCreated: 'Microsoft.KeyVault.CertificateNewVersionCreated',
  nearExpiry: 'Microsoft.KeyVault.CertificateNearExpiry',
  expired: 'Microsoft.KeyVault.CertificateExpired',
  /** Not a Key Vault event: an automatic renewal failed (the current version stays in service). */
  renewalFailed: 'Microsoft.KeyVault.CertificateRenewalFailed',
} as const;

export type CertificateEventKind = keyof typeof CERTIFICATE_EVENT_TYPES;
export type CertificateEventType = (typeof CERTIFICATE_EVENT_TYPES)[CertificateEventKind];

/** Key Vault's data object, field for field (PascalCase and the upper-case NBF/EXP are Key Vault's spelling). */
export interface CertificateEventData {
  /** The version's id: `{vault}/certificates/{name}/{version}`. */
  Id: string;
  VaultName: string;
  ObjectType: 'Certificate';
  ObjectName: string;
  Version: string;
  /** Unix seconds (numbers, as Key Vault's schema table and its live events have them). */
  NBF: number;
  EXP: number;
  /** Only on CertificateRenewalFailed (ours): why the renewal failed, in Key Vault's error shape. */
  Error?: { code: string; message: string };
  /**
   * Only on CertificateNearExpiry (ours: Key Vault mails its contacts itself and its event has no such field):
   * the vault's certificate contacts when the notice was raised, as `GET /certificates/contacts` lists them,
   * so a receiver can address the mail. Empty when the vault has none. Handlers written for Key Vault ignore it.
   */
  Contacts?: EventContact[];
}

/** One of the vault's contacts as a near-expiry event names it (the contacts API's own fields). */
export interface EventContact {
  email: string;
  name?: string;
  phone?: string;
}

/** The Event Grid event schema's envelope. */
export interface CertificateEvent {
  id: string;
  /**
   * Key Vault's is the vault's ARM resource id. Ours is the vault URL on the queue and webhooks; Event Grid
   * sets its own (the custom topic's resource id) when it delivers from a topic.
   */
  topic: string;
  /** The certificate's name, as Key Vault has it. */
  subject: string;
  eventType: CertificateEventType;
  /** ISO 8601, UTC. */
  eventTime: string;
  data: CertificateEventData;
  dataVersion: '1';
  metadataVersion: '1';
}

/** The version an event is about: what of it the event data names. */
export interface EventVersion {
  name: string;
  version: string;
  /** Unix seconds. */
  notBefore: number;
  expires: number;
}

export interface CertificateEventInput {
  kind: CertificateEventKind;
  /** The vault URL ids are built on (an origin, no trailing slash). */
  vaultUrl: string;
  version: EventVersion;
  at: Date;
  /**
   * What tells this occurrence apart from another of the same kind for the same version (none for a new
   * version, which happens once; e.g. the due time of a near-expiry notice, or the failed attempt of a
   * renewal). The event id is derived from it, so telling the same occurrence twice gives the same id.
   */
  occurrence?: string;
  error?: { code: string; message: string };
  /** A near-expiry notice's addressees (`data.Contacts`). */
  contacts?: readonly EventContact[];
}

export function certificateEvent(input: CertificateEventInput): CertificateEvent {
  const { kind, vaultUrl, version, at } = input;
  const eventType = CERTIFICATE_EVENT_TYPES[kind];
  return {
    id: certificateEventId(eventType, vaultUrl, version, input.occurrence),
    topic: vaultUrl,
    subject: version.name,
    eventType,
    eventTime: at.toISOString(),
    data: {
      Id: `${vaultUrl}/certificates/${version.name}/${version.version}`,
      VaultName: vaultNameOf(vaultUrl),
      ObjectType: 'Certificate',
      ObjectName: version.name,
      Version: version.version,
      NBF: version.notBefore,
      EXP: version.expires,
      ...(input.error ? { Error: input.error } : {}),
      ...(input.contacts ? { Contacts: input.contacts.map(({ email, name, phone }) => ({ email, ...(name ? { name } : {}), ...(phone ? { phone } : {}) })) } : {}),
    },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

/**
 * A GUID-shaped id derived from what happened (type, vault, certificate, version, occurrence), not drawn at
 * random: a job that runs twice, or a fan-out that is redelivered, tells the same event with the same id, and
 * receivers drop repeats by id. Names are case-insensitive, so the name is lower-cased first.
 */
export function certificateEventId(eventType: string, vaultUrl: string, version: Pick<EventVersion, 'name' | 'version'>, occurrence = ''): string {
  const hex = createHash('sha256')
    .update([eventType, vaultUrl.toLowerCase(), version.name.toLowerCase(), version.version.toLowerCase(), occurrence].join('\n'))
    .digest('hex');
  // Version 8 (custom) UUID layout: the variant and version nibbles say it is not a random one.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Key Vault's VaultName is the first label of `{name}.vault.azure.net`. Ours is the first label of the vault
 * URL's host, or the whole host where that is an IP address or a single label (localhost).
 */
export function vaultNameOf(vaultUrl: string): string {
  const host = new URL(vaultUrl).hostname;
  if (/^[\d.]+$/.test(host) || host.startsWith('[') || !host.includes('.')) return host;
  return host.split('.')[0] ?? host;
}
