import type { DnsManagementClient, RecordSet } from '@azure/arm-dns';
import type { TokenCredential } from '@azure/identity';
import { azureArmDns } from '../../lazy-packages';
import type { DnsChallengeResponder } from './dns-challenge';
import { normalizeName, parseDnsZoneResourceId, type AzureDnsZone } from './dns-zone-id';

export { parseDnsZoneResourceId, type AzureDnsZone };

/**
 * DNS-01 through Azure DNS, with the official SDK and the app's managed identity (the Bicep grants it DNS Zone
 * Contributor on the one zone, optionally). The zone is named by its resource id, which says the subscription,
 * the resource group and the zone in one value a user copies from the portal.
 *
 * A TXT record set may hold other values than ours (a concurrent order, a wildcard and its apex), so each call
 * reads the set, adds or removes one value, and writes it back only if nobody changed it meanwhile (If-Match
 * on the set's etag, If-None-Match: * when creating it); a lost race is read and tried again.
 */

/** The part of the SDK's record-set operations this adapter uses; the SDK client satisfies it. */
export type TxtRecordSets = Pick<DnsManagementClient['recordSets'], 'get' | 'createOrUpdate' | 'delete'>;

/** Seconds resolvers may cache the challenge; short, because the record lives only as long as the order. */
export const CHALLENGE_TXT_TTL_SECONDS = 60;
/** Writes that lose an etag race are retried this many times before the error is given up to the job. */
const MAX_CONFLICT_RETRIES = 5;

/** The record set's name relative to the zone (`_acme-challenge.www` in `example.com`); `@` at the apex. */
export function relativeRecordName(fqdn: string, zoneName: string): string {
  const name = normalizeName(fqdn);
  const zone = normalizeName(zoneName);
  if (name === zone) return '@';
  if (name.endsWith(`.${zone}`)) return name.slice(0, -(zone.length + 1));
  throw new Error(`${fqdn} is not in the DNS zone ${zone}, so its DNS-01 challenge cannot be answered there.`);
}

export interface AzureDnsChallengeOptions {
  /** The zone's resource id, as in the portal's "Properties" or `az network dns zone show --query id`. */
  zoneResourceId: string;
  /** The app's managed identity (or any Entra credential allowed to write the zone). */
  credential: TokenCredential;
  /** SDK client options: a sovereign cloud's endpoint, or a test's HTTP client. */
  clientOptions?: ConstructorParameters<typeof DnsManagementClient>[2];
}

/**
 * Builds the Azure DNS responder for one zone over the official SDK client. The SDK is required here, not at
 * the top: only an app with a DNS zone configured needs it, and every module loaded at start costs each
 * Functions instance's cold start.
 */
export function createAzureDnsChallenge(options: AzureDnsChallengeOptions): AzureDnsChallenge {
  const zone = parseDnsZoneResourceId(options.zoneResourceId);
  const { DnsManagementClient } = azureArmDns();
  const client = new DnsManagementClient(options.credential, zone.subscriptionId, options.clientOptions);
  return new AzureDnsChallenge(zone, client.recordSets);
}

export class AzureDnsChallenge implements DnsChallengeResponder {
  constructor(
    readonly zone: AzureDnsZone,
    private readonly recordSets: TxtRecordSets,
  ) {}

  async setTxt(fqdn: string, value: string): Promise<void> {
    const name = relativeRecordName(fqdn, this.zone.zoneName);
    await this.withConflictRetries(async () => {
      const current = await this.read(name);
      const values = txtValues(current);
      if (values.includes(value)) return;
      await this.recordSets.createOrUpdate(this.zone.resourceGroupName, this.zone.zoneName, name, 'TXT', txtRecordSet([...values, value], current), current?.etag ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
    });
  }

  async removeTxt(fqdn: string, value: string): Promise<void> {
    const name = relativeRecordName(fqdn, this.zone.zoneName);
    await this.withConflictRetries(async () => {
      const current = await this.read(name);
      const values = txtValues(current);
      if (!current || !values.includes(value)) return;
      const remaining = values.filter((v) => v !== value);
      const ifMatch = current.etag ? { ifMatch: current.etag } : {};
      if (remaining.length === 0) {
        await this.recordSets.delete(this.zone.resourceGroupName, this.zone.zoneName, name, 'TXT', ifMatch);
      } else {
        await this.recordSets.createOrUpdate(this.zone.resourceGroupName, this.zone.zoneName, name, 'TXT', txtRecordSet(remaining, current), ifMatch);
      }
    });
  }

  private async read(name: string): Promise<RecordSet | undefined> {
    try {
      return await this.recordSets.get(this.zone.resourceGroupName, this.zone.zoneName, name, 'TXT');
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** 412: the set changed (or appeared) between our read and our write; read it again. */
  private async withConflictRetries(attempt: () => Promise<void>): Promise<void> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        if (statusOf(error) !== 412 || retry >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }
}

/** Every value of a TXT set, each record's strings joined (Azure splits values longer than 255 characters). */
function txtValues(set: RecordSet | undefined): string[] {
  return (set?.txtRecords ?? []).map((record) => (record.value ?? []).join(''));
}

function txtRecordSet(values: string[], current: RecordSet | undefined): RecordSet {
  return {
    ttl: current?.ttl ?? CHALLENGE_TXT_TTL_SECONDS,
    ...(current?.metadata ? { metadata: current.metadata } : {}),
    txtRecords: values.map((value) => ({ value: chunks(value, MAX_TXT_STRING_LENGTH) })),
  };
}

/** A DNS TXT string holds at most 255 octets (RFC 1035 §3.3); longer values are several strings of one record. */
const MAX_TXT_STRING_LENGTH = 255;

function chunks(value: string, size: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < value.length; start += size) parts.push(value.slice(start, start + size));
  return parts.length > 0 ? parts : [''];
}

/** The HTTP status of an SDK error (a RestError), read by shape so no transitive package is imported. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}
