/**
 * An Azure DNS zone named by its resource id, parsed without the Azure SDK so the app's settings
 * (shared/config.ts) can check ACME_DNS_ZONE_RESOURCE_ID without loading it.
 */
export interface AzureDnsZone {
  subscriptionId: string;
  resourceGroupName: string;
  zoneName: string;
}

const ZONE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/dnszones\/([^/]+)\/?$/i;

/** Reads `/subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.Network/dnszones/{zone}`. */
export function parseDnsZoneResourceId(resourceId: string): AzureDnsZone {
  const match = ZONE_ID.exec(resourceId.trim());
  if (!match?.[1] || !match[2] || !match[3]) {
    throw new Error(
      `"${resourceId}" is not an Azure DNS zone resource id; expected /subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnszones/{zone}.`,
    );
  }
  return { subscriptionId: match[1], resourceGroupName: match[2], zoneName: normalizeName(match[3]) };
}

/** Lower case, no trailing dot: how zone and record names compare. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
