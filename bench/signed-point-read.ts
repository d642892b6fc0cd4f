import { createHmac } from 'node:crypto';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY } from '../scripts/local-host/azurite';

/**
 * The request the service's table client sends for a point read, signed once: a SharedKeyLite signature
 * covers only the date and the resource, so the load generator can repeat it for the few seconds it runs.
 */
export function signedPointRead(tableEndpoint: string, table: string, partitionKey: string, rowKey: string): { url: string; headers: Record<string, string> } {
  const url = new URL(`${tableEndpoint}/${table}(PartitionKey='${partitionKey}',RowKey='${rowKey}')`);
  const date = new Date().toUTCString();
  // The canonical resource is the account, then the URL's path (which, on the emulator, names it again).
  const signature = createHmac('sha256', Buffer.from(AZURITE_ACCOUNT_KEY, 'base64'))
    .update(`${date}\n/${AZURITE_ACCOUNT}${url.pathname}`)
    .digest('base64');
  return {
    url: url.toString(),
    headers: {
      Accept: 'application/json;odata=nometadata',
      'x-ms-version': '2019-02-02',
      'x-ms-date': date,
      Authorization: `SharedKeyLite ${AZURITE_ACCOUNT}:${signature}`,
    },
  };
}
