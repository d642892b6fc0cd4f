import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { useDnsChallengeResponderForTests } from '../../shared/composition';
import { dnsChallengeName, type DnsChallengeResponder } from '../../shared/issuers/acme/dns-challenge';
import { QUEUES } from '../../shared/names';
import { acmePolicy, certificatesOfPemSecret, createAndWait, dnsSans, fastPolling, opensslVerify, sdkClients, uniqueDnsName } from '../helpers/acme-e2e';
import { ChallTestSrvDnsChallenge } from '../helpers/challtestsrv-dns-challenge';
import { describeWithPebble, startPebble, type RunningPebble } from '../helpers/pebble';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The ACME issuer end to end through the official JS SDK: an issuer object with provider ACME naming Pebble's
 * directory, certificates created with it and completed by the issuer job through DNS-01 (TXT records in
 * Pebble's challenge test server, put in place of Azure DNS through the composition root), the chain
 * verified by OpenSSL against Pebble's root. A second Pebble requires external account binding. Pebble's
 * API CAs are trusted through ACME_CA_BUNDLE, for the ACME client only.
 */

/** Publishes a wrong value for names that start with `wrong-`, so Pebble's validation fails as a CA's would. */
class SometimesWrongDns implements DnsChallengeResponder {
  constructor(private readonly inner: DnsChallengeResponder) {}
  setTxt(fqdn: string, value: string): Promise<void> {
    return this.inner.setTxt(fqdn, fqdn.startsWith('_acme-challenge.wrong-') ? 'not-the-key-authorization' : value);
  }
  removeTxt(fqdn: string, value: string): Promise<void> {
    return this.inner.removeTxt(fqdn, fqdn.startsWith('_acme-challenge.wrong-') ? 'not-the-key-authorization' : value);
  }
}

describeWithPebble('ACME issuer through the JS SDK, DNS-01 against Pebble', () => {
  let pebble: RunningPebble;
  let eabPebble: RunningPebble;
  let service: ServiceUnderTest;
  let bundleDir: string;

  beforeAll(async () => {
    // Each Pebble has its own challtestsrv and its own API CA: the responder writes to both, the bundle trusts both.
    [pebble, eabPebble] = await Promise.all([startPebble(), startPebble({ externalAccountBinding: true })]);
    bundleDir = mkdtempSync(join(tmpdir(), 'acme-bundle-'));
    const bundle = join(bundleDir, 'acme-ca.pem');
    writeFileSync(bundle, `${pebble.apiCaCertificatePem}\n${eabPebble.apiCaCertificatePem}`);
    useDnsChallengeResponderForTests(new SometimesWrongDns(new PerDirectoryDns()));
    // challtestsrv serves a TXT value the moment it is set.
    service = await startService({ ACME_CA_BUNDLE: bundle, ACME_DNS_SETTLE_SECONDS: '1' });
    const { certificates } = sdkClients(service);
    await certificates.createIssuer('le', 'ACME', { accountId: pebble.directoryUrl });
    const eab = eabPebble.externalAccountBinding;
    if (!eab) throw new Error('startPebble({ externalAccountBinding: true }) gave no binding');
    await certificates.createIssuer('le-eab', 'ACME', { accountId: eabPebble.directoryUrl, organizationId: eab.kid, password: eab.hmacKey });
  });

  afterAll(async () => {
    useDnsChallengeResponderForTests(undefined);
    await service?.stop();
    await Promise.all([pebble?.stop(), eabPebble?.stop()]);
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  /** TXT values go to both challtestsrvs: each Pebble looks only at its own, and removal is idempotent. */
  class PerDirectoryDns implements DnsChallengeResponder {
    private all = () => [new ChallTestSrvDnsChallenge(pebble.dns), new ChallTestSrvDnsChallenge(eabPebble.dns)];
    async setTxt(fqdn: string, value: string): Promise<void> {
      for (const dns of this.all()) await dns.setTxt(fqdn, value);
    }
    async removeTxt(fqdn: string, value: string): Promise<void> {
      for (const dns of this.all()) await dns.removeTxt(fqdn, value);
    }
  }

  test('createIssuer(ACME) then beginCreateCertificate completes through DNS-01: a wildcard and its apex, one order, chain verified, TXT cleaned', async () => {
    const { certificates, secrets } = sdkClients(service);
    const apex = uniqueDnsName('dns01');
    const before = pebble.ordersPlaced();

    const poller = await certificates.beginCreateCertificate(apex.split('.')[0] ?? 'c', acmePolicy('le', [apex, `*.${apex}`]), fastPolling);
    const certificate = await poller.pollUntilDone();

    expect(certificate.properties.enabled).toBe(true);
    const secret = await secrets.getSecret(certificate.name);
    const chain = certificatesOfPemSecret(secret.value ?? '');
    expect(chain.length).toBeGreaterThanOrEqual(2);
    expect(dnsSans(chain[0] as (typeof chain)[0])).toEqual([`*.${apex}`, apex].sort());
    expect(chain[0]?.raw.equals(Buffer.from(certificate.cer as Uint8Array))).toBe(true);
    expect(opensslVerify(chain, await pebble.rootCertificatePem())).toBe('leaf.pem: OK');
    expect(pebble.ordersPlaced() - before).toBe(1);
    expect(await pebble.dns.dnsRequests(dnsChallengeName(apex))).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'TXT' })]));
    expect(await pebble.dns.txtValues(dnsChallengeName(apex))).toEqual([]);
  });

  test('with external account binding (key id in org_details.id, HMAC key as the password) the account is bound and the certificate issued', async () => {
    const { certificates, secrets } = sdkClients(service);
    const name = uniqueDnsName('eab');
    const before = eabPebble.ordersPlaced();

    const certificate = await (await certificates.beginCreateCertificate(name.split('.')[0] ?? 'c', acmePolicy('le-eab', [name]), fastPolling)).pollUntilDone();

    const chain = certificatesOfPemSecret((await secrets.getSecret(certificate.name)).value ?? '');
    expect(dnsSans(chain[0] as (typeof chain)[0])).toEqual([name]);
    expect(opensslVerify(chain, await eabPebble.rootCertificatePem())).toBe('leaf.pem: OK');
    expect(eabPebble.ordersPlaced() - before).toBe(1);
  });

  test('a binding the CA refuses (a wrong HMAC key) fails the request at once, in the CA\'s words, without an order', async () => {
    const { certificates } = sdkClients(service);
    const eab = eabPebble.externalAccountBinding;
    if (!eab) throw new Error('no binding');
    await certificates.createIssuer('le-eab-wrong', 'ACME', { accountId: eabPebble.directoryUrl, organizationId: eab.kid, password: randomBytes(32).toString('base64url') });
    const name = uniqueDnsName('eab-wrong');
    const before = eabPebble.ordersPlaced();

    await expect(createAndWait(certificates, name.split('.')[0] ?? 'c', acmePolicy('le-eab-wrong', [name]))).rejects.toThrow(
      `The ACME directory ${eabPebble.directoryUrl} refused to register the account: urn:ietf:params:acme:error:unauthorized: external account binding JWS verification error`,
    );
    expect(eabPebble.ordersPlaced() - before).toBe(0);
  });

  test("a CA's rejection (a wrong TXT value) fails the operation with Pebble's problem type and detail, which the SDK poller surfaces", async () => {
    const { certificates } = sdkClients(service);
    const name = uniqueDnsName('wrong');

    await expect(createAndWait(certificates, name.split('.')[0] ?? 'c', acmePolicy('le', [name]))).rejects.toThrow(/urn:ietf:params:acme:error:unauthorized: Correct value not found for DNS challenge/);
    const operation = (await certificates.getCertificateOperation(name.split('.')[0] ?? 'c').catch((e: Error) => e)) as Error;
    expect(operation.message).toMatch(new RegExp(`The ACME server refused to validate ${name.replace(/\./g, '\\.')}: urn:ietf:params:acme:error:unauthorized`));
    expect(await pebble.dns.txtValues(dnsChallengeName(name))).toEqual([]);
  });

  test('a job delivered twice places one order', async () => {
    const { certificates } = sdkClients(service);
    const name = uniqueDnsName('twice');
    const certName = name.split('.')[0] ?? 'c';
    const before = pebble.ordersPlaced();

    const poller = await certificates.beginCreateCertificate(certName, acmePolicy('le', [name]), fastPolling);
    const requestId = (await certificates.getCertificateOperation(certName)).getOperationState().certificateOperation?.requestId;
    if (!requestId) throw new Error('the create answer carried no request id');
    // The same job again, as an at-least-once queue may deliver it, twice over.
    const queue = new QueueClient(service.azurite.connectionString, QUEUES.issuerJobs);
    const message = Buffer.from(JSON.stringify({ name: certName, requestId }), 'utf8').toString('base64');
    await Promise.all([queue.sendMessage(message), queue.sendMessage(message)]);

    await poller.pollUntilDone();
    expect(pebble.ordersPlaced() - before).toBe(1);
  });

  test('PUT refuses an ACME issuer without a usable directory URL, or with half an account binding', async () => {
    const { certificates } = sdkClients(service);
    await expect(certificates.createIssuer('bad-acme', 'ACME')).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('needs its directory URL in credentials.account_id') });
    await expect(certificates.createIssuer('bad-acme', 'ACME', { accountId: 'http://acme.example/directory' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('must use https') });
    await expect(certificates.createIssuer('bad-acme', 'ACME', { accountId: pebble.directoryUrl, organizationId: 'kid-only' })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('give both or neither'),
    });
    await expect(certificates.updateIssuer('le', { accountId: 'not a url' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('is not a URL') });
  });
});
