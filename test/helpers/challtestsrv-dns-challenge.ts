import type { DnsChallengeResponder } from '../../shared/issuers/acme/dns-challenge';
import type { ChallTestSrv } from './challtestsrv';

/**
 * The tests' DNS-01 responder, behind the same interface as the Azure DNS one: TXT records in
 * pebble-challtestsrv, the DNS Pebble validates against. It keeps no state of its own (it reads the values back
 * through DNS), so a host restarted mid-order removes what its predecessor set. challtestsrv can only clear a
 * name whole, so removing one value clears the name and puts the others back; calls are serialized so two
 * of them never interleave that.
 */
export class ChallTestSrvDnsChallenge implements DnsChallengeResponder {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly server: ChallTestSrv) {}

  setTxt(fqdn: string, value: string): Promise<void> {
    return this.serialized(async () => {
      if ((await this.server.txtValues(fqdn)).includes(value)) return;
      await this.server.addTxt(fqdn, value);
    });
  }

  removeTxt(fqdn: string, value: string): Promise<void> {
    return this.serialized(async () => {
      const values = await this.server.txtValues(fqdn);
      if (!values.includes(value)) return;
      await this.server.clearTxt(fqdn);
      for (const other of values.filter((v) => v !== value)) await this.server.addTxt(fqdn, other);
    });
  }

  private serialized(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
