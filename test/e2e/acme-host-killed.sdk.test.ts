import { join } from 'node:path';
import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import type { PendingOperation } from '../../shared/domain/pending-operation';
import { TABLES } from '../../shared/names';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { acmePolicy, certificatesOfPemSecret, dnsSans, fastPolling, opensslVerify, uniqueDnsName } from '../helpers/acme-e2e';
import { startHostProcess, type HostProcess } from '../helpers/host-process';
import { describeWithPebble, startPebble, type RunningPebble } from '../helpers/pebble';
import { eventually } from '../helpers/service-under-test';

/**
 * An ACME job whose host dies mid-order (SIGKILL: no shutdown, nothing flushed) and comes back: the restarted
 * host picks the job up from storage and the queue, finishes the order it had placed, and places no second
 * one (docs/acme.md, "A host that dies"). The host runs as a child process (host-process.ts) against this
 * file's Azurite; DNS-01 is answered in Pebble's challtestsrv (challtestsrv-dns-preload.ts).
 *
 * Where it dies is chosen, not raced: after the job has placed the order and saved it (phase `answering`),
 * during the DNS settle delay (ACME_DNS_SETTLE_SECONDS), when the job's next step waits in the queue as a
 * delayed message. The test reads the operation from storage after the kill to show the order was still
 * unfinished then. On a busy machine the kill may come later than meant, after the next step's run has taken
 * the operation: a short lease and re-drive make that case recover in seconds too, instead of the defaults'
 * minutes (the fault-injection suite, npm-start-kill.test.ts, covers kills at every point).
 */
const SETTLE_SECONDS = 3;

describeWithPebble('ACME issuer: the host killed mid-order and restarted (JS SDK, DNS-01 against Pebble)', () => {
  let pebble: RunningPebble;
  let host: HostProcess;

  beforeAll(async () => {
    pebble = await startPebble();
    host = await startHostProcess({
      settings: {
        ACME_CA_BUNDLE: pebble.apiCaCertificateFile,
        ACME_DNS_SETTLE_SECONDS: String(SETTLE_SECONDS),
        ISSUER_JOB_LEASE_SECONDS: '10',
        JOB_REDRIVE_AFTER_SECONDS: '2',
        CHALLTESTSRV_MANAGEMENT_URL: pebble.dns.managementUrl,
        CHALLTESTSRV_DNS_SERVER: pebble.dns.dnsServer,
      },
      preload: [join(__dirname, '..', 'helpers', 'challtestsrv-dns-preload.ts')],
    });
    await clients().certificates.createIssuer('le', 'ACME', { accountId: pebble.directoryUrl });
  });

  afterAll(async () => {
    await host?.stop();
    await pebble?.stop();
  });

  function clients() {
    return {
      certificates: new CertificateClient(host.httpsUrl, host.credential, host.sdkOptions),
      secrets: new SecretClient(host.httpsUrl, host.credential, host.sdkOptions),
    };
  }

  /** The ACME provider's phase as the job saved it on the operation (storage, as the restarted host reads it). */
  async function acmePhase(name: string): Promise<{ status: string; phase: string | undefined }> {
    const stored = await new CertificateStore(host.table(TABLES.certificates)).getOperation(name);
    const op: PendingOperation | undefined = stored?.value;
    const data = op?.providerState?.data as { phase?: string } | undefined;
    return { status: op?.status ?? 'absent', phase: data?.phase };
  }

  test('SIGKILL after the order is placed and saved, then restart: completed, chain verified, one order at Pebble', async () => {
    const { certificates } = clients();
    const dnsName = uniqueDnsName('killed');
    const name = dnsName.split('.')[0] ?? 'c';
    const before = pebble.ordersPlaced();

    await certificates.beginCreateCertificate(name, acmePolicy('le', [dnsName]), fastPolling);
    await eventually('the job to place the order and save it', async () => ((await acmePhase(name)).phase === 'answering' ? true : undefined));
    await host.kill('SIGKILL');

    // Killed mid-order: the order is placed, the CA not yet asked to validate, nothing finished.
    expect(await acmePhase(name)).toEqual({ status: 'inProgress', phase: 'answering' });
    expect(pebble.ordersPlaced() - before).toBe(1);

    await host.restart();
    // A new poller, as a client that lost its connection would make: the operation is the server's.
    const certificate = await (await clients().certificates.getCertificateOperation(name, fastPolling)).pollUntilDone();

    expect(certificate.properties.enabled).toBe(true);
    const chain = certificatesOfPemSecret((await clients().secrets.getSecret(name)).value ?? '');
    expect(dnsSans(chain[0] as (typeof chain)[0])).toEqual([dnsName]);
    expect(opensslVerify(chain, await pebble.rootCertificatePem())).toBe('leaf.pem: OK');
    expect(pebble.ordersPlaced() - before).toBe(1);
  });
});
