import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { findFreePort } from '../../scripts/local-host/ports';
import { acmePolicy, certificatesOfPemSecret, createAndWait, fastPolling, opensslVerify, uniqueDnsName } from '../helpers/acme-e2e';
import { startHostProcess, type HostProcess } from '../helpers/host-process';
import { describeWithPebble, startPebble, type RunningPebble } from '../helpers/pebble';
import { eventually } from '../helpers/service-under-test';

/**
 * AutoRenew of an ACME certificate against Pebble with the service's clock moved (issue 12): the certificate is
 * issued at real time, the host restarted with CLOCK_OFFSET_SECONDS past its trigger, and the lifetime sweep
 * renews it through a new order at the CA. HTTP-01 is answered by the host's own plain HTTP port.
 *
 * Pebble keeps its own (real) clock: it issues 6-day certificates here (short-lived ones, as Let's Encrypt now
 * offers) under a policy asking for renewal 30 days before expiry. Such a trigger falls before the certificate's
 * start, so a version is due two thirds of the way from its start to its expiry instead (about 4 days, plus up
 * to a tenth of the remaining 2 days of jitter: shared/domain/lifetime-trigger.ts); five days ahead is past
 * that. The renewed certificate starts at Pebble's real time, which is behind the moved clock: its due time
 * counts from when the vault made it, 16 hours ahead of the moved clock, so it is renewed once, not again and
 * again.
 */
const DAY = 86_400;
const OFFSET_SECONDS = 5 * DAY;

describeWithPebble('ACME AutoRenew against Pebble with the clock moved (JS SDK, host process)', () => {
  let pebble: RunningPebble;
  let host: HostProcess;

  beforeAll(async () => {
    const port = await findFreePort('127.0.0.1');
    pebble = await startPebble({ httpChallengePort: port, certificateValiditySeconds: 6 * DAY });
    host = await startHostProcess({ port, settings: { ACME_CA_BUNDLE: pebble.apiCaCertificateFile, LIFETIME_SCHEDULE: '*/1 * * * * *' } });
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

  async function versionsOf(name: string): Promise<string[]> {
    const versions: string[] = [];
    for await (const properties of clients().certificates.listPropertiesOfCertificateVersions(name)) versions.push(properties.version ?? '');
    return versions;
  }

  it('renews once at the trigger through one new order; the first version stays served', async () => {
    const dnsName = uniqueDnsName('renews');
    const name = dnsName.split('.')[0] ?? 'renews';
    const policy: CertificatePolicy = { ...acmePolicy('le', [dnsName]), lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: 30 }] };
    const first = await createAndWait(clients().certificates, name, policy);
    const firstPem = (await clients().secrets.getSecret(name, { version: first.properties.version })).value ?? '';
    const ordersBefore = pebble.ordersPlaced();

    await host.restart({ CLOCK_OFFSET_SECONDS: String(OFFSET_SECONDS) });

    const { certificates, secrets } = clients();
    await eventually(`${name} to have a second version (host log:\n${host.logs().slice(-3000)})`, async () => ((await versionsOf(name)).length >= 2 ? true : undefined), 30_000);
    const operation = await (await certificates.getCertificateOperation(name, fastPolling)).pollUntilDone();
    const renewed = await certificates.getCertificate(name);
    expect(operation.properties.version).toBe(renewed.properties.version);
    expect((await certificates.getCertificateOperation(name)).getOperationState().certificateOperation?.status).toBe('completed');
    expect(renewed.properties.version).not.toBe(first.properties.version);
    expect(renewed.policy?.lifetimeActions).toEqual(first.policy?.lifetimeActions);

    // A real certificate from Pebble, a new one, chaining to its root.
    const chain = certificatesOfPemSecret((await secrets.getSecret(name)).value ?? '');
    expect(opensslVerify(chain, await pebble.rootCertificatePem())).toBe('leaf.pem: OK');
    expect(chain[0]?.serialNumber).not.toBe(certificatesOfPemSecret(firstPem)[0]?.serialNumber);
    expect(pebble.ordersPlaced() - ordersBefore).toBe(1);

    // The first version is still served as it was.
    const old = await certificates.getCertificateVersion(name, first.properties.version!);
    expect(old.properties.enabled).toBe(true);
    expect(Buffer.from(old.cer as Uint8Array).equals(Buffer.from(first.cer as Uint8Array))).toBe(true);

    // Renewed once: the sweep runs every second, and the renewed version is not due for another 16 hours of
    // the moved clock (a second renewal would have shown by now as a third version or a second order).
    expect(await versionsOf(name)).toHaveLength(2);
    expect(pebble.ordersPlaced() - ordersBefore).toBe(1);
    const movedNow = Math.floor(Date.now() / 1000) + OFFSET_SECONDS;
    const entries = [];
    for await (const row of host.table('OperationsDue').listEntities<{ name: string; dueAt: number }>({ queryOptions: { filter: "PartitionKey ge 'lifetime-' and PartitionKey lt 'lifetime-~'" } })) {
      if (row.name === name) entries.push(row.dueAt);
    }
    // The renewed version's entry (beside the renewal's own retry entry, 1 h ahead, dropped as stale when due).
    expect(Math.max(...entries)).toBeGreaterThan(movedNow + 12 * 3600);
  });
});
