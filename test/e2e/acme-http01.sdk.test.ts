import { findFreePort } from '../../scripts/local-host/ports';
import { acmePolicy, certificatesOfPemSecret, createAndWait, dnsSans, fastPolling, opensslVerify, sdkClients, uniqueDnsName } from '../helpers/acme-e2e';
import { describeWithPebble, startPebble, type RunningPebble } from '../helpers/pebble';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The ACME issuer through HTTP-01, as a deployment without a DNS zone uses it: Pebble's validator fetches
 * http://<name>:<port>/.well-known/acme-challenge/<token> from the service's own plain HTTP port (every name
 * resolves to 127.0.0.1 in challtestsrv), where the anonymous route answers what the issuer job stored.
 */
describeWithPebble('ACME issuer through the JS SDK, HTTP-01 against Pebble', () => {
  let pebble: RunningPebble;
  let service: ServiceUnderTest;

  beforeAll(async () => {
    // Pebble is told the port before the service listens on it (its API CA must exist before the service reads ACME_CA_BUNDLE).
    const port = await findFreePort('127.0.0.1');
    pebble = await startPebble({ httpChallengePort: port });
    service = await startService({ ACME_CA_BUNDLE: pebble.apiCaCertificateFile }, { port });
    await sdkClients(service).certificates.createIssuer('le', 'ACME', { accountId: pebble.directoryUrl });
  });

  afterAll(async () => {
    await service?.stop();
    await pebble?.stop();
  });

  test('beginCreateCertificate completes through HTTP-01 answered by the service itself; the answer is gone afterwards', async () => {
    const { certificates, secrets } = sdkClients(service);
    const name = uniqueDnsName('http01');
    const other = uniqueDnsName('http01-san');
    const before = pebble.ordersPlaced();

    const certificate = await (await certificates.beginCreateCertificate(name.split('.')[0] ?? 'c', acmePolicy('le', [name, other]), fastPolling)).pollUntilDone();

    const chain = certificatesOfPemSecret((await secrets.getSecret(certificate.name)).value ?? '');
    expect(dnsSans(chain[0] as (typeof chain)[0])).toEqual([name, other].sort());
    expect(opensslVerify(chain, await pebble.rootCertificatePem())).toBe('leaf.pem: OK');
    expect(pebble.ordersPlaced() - before).toBe(1);
    // No answer is left for anyone to fetch.
    const leftovers = service.table('Issuers').listEntities({ queryOptions: { filter: "PartitionKey eq '~acme-http01'" } });
    const rows = [];
    for await (const row of leftovers) rows.push(row);
    expect(rows).toEqual([]);
  });

  test('the anonymous route answers 404 for a token it does not hold, without asking for a token', async () => {
    const response = await fetch(`${service.url}/.well-known/acme-challenge/no-such-token`);
    expect(response.status).toBe(404);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  test('a wildcard cannot be validated over HTTP-01: the request is rejected at once, saying why', async () => {
    const { certificates } = sdkClients(service);
    const apex = uniqueDnsName('wild');
    const before = pebble.ordersPlaced();

    await expect(createAndWait(certificates, apex.split('.')[0] ?? 'c', acmePolicy('le', [`*.${apex}`]))).rejects.toThrow(/A wildcard name can only be validated through DNS-01/);
    expect(pebble.ordersPlaced() - before).toBe(0);
  });
});
