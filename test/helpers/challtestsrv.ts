import { promises as dns } from 'node:dns';

/**
 * pebble-challtestsrv's management API (plain HTTP on loopback) and its DNS server: the DNS Pebble resolves
 * names with. Names are sent fully qualified (trailing dot), as the server requires.
 */
export class ChallTestSrv {
  private readonly resolver = new dns.Resolver({ timeout: 2_000, tries: 2 });

  constructor(
    readonly managementUrl: string,
    /** host:port of its DNS server. */
    readonly dnsServer: string,
  ) {
    this.resolver.setServers([dnsServer]);
  }

  /** Adds one TXT value at `fqdn`, next to those already there. */
  addTxt(fqdn: string, value: string): Promise<void> {
    return this.post('/set-txt', { host: fullyQualified(fqdn), value });
  }

  /** Removes every TXT value at `fqdn` (the server has no way to remove just one). */
  clearTxt(fqdn: string): Promise<void> {
    return this.post('/clear-txt', { host: fullyQualified(fqdn) });
  }

  /** The TXT values at `fqdn` as a resolver sees them (each record's strings joined). */
  async txtValues(fqdn: string): Promise<string[]> {
    try {
      return (await this.resolver.resolveTxt(fullyQualified(fqdn))).map((record) => record.join(''));
    } catch (error) {
      if (isNoAnswer(error)) return [];
      throw error;
    }
  }

  /** The address every name without its own A record resolves to (127.0.0.1 from the start). */
  setDefaultIPv4(ip: string): Promise<void> {
    return this.post('/set-default-ipv4', { ip });
  }

  /** Gives `host` its own A records, overriding the default. */
  addA(host: string, addresses: string[]): Promise<void> {
    return this.post('/add-a', { host: fullyQualified(host), addresses });
  }

  /** The DNS questions asked about `host` so far (by Pebble's validator, mostly): proof a validation looked. */
  async dnsRequests(host: string): Promise<{ question: string; type: string }[]> {
    // Unlike the other calls, the history is keyed by the name without its trailing dot.
    const response = await fetch(`${this.managementUrl}/dns-request-history`, { method: 'POST', body: JSON.stringify({ host: host.replace(/\.$/, '') }) });
    if (!response.ok) throw new Error(`challtestsrv /dns-request-history: ${response.status} ${await response.text()}`);
    const history = (await response.json()) as { Question?: { Name?: string; Qtype?: number } }[] | null;
    return (history ?? []).map(({ Question: q }) => ({ question: q?.Name ?? '', type: DNS_TYPES[q?.Qtype ?? 0] ?? String(q?.Qtype) }));
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.managementUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`challtestsrv ${path}: ${response.status} ${await response.text()}`);
  }
}

const DNS_TYPES: Record<number, string> = { 1: 'A', 16: 'TXT', 28: 'AAAA', 257: 'CAA' };

function fullyQualified(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function isNoAnswer(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}
