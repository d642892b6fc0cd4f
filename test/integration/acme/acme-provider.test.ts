import { randomBytes } from 'node:crypto';
import * as acme from 'acme-client';
import { openPrivateKey } from '../../../shared/crypto/key-encryption';
import type { CertificatePolicy } from '../../../shared/domain/certificate-policy';
import type { IssuerObject } from '../../../shared/domain/issuer';
import { acmeProvider } from '../../../shared/issuers/acme/acme-provider';
import { configureAcmeHttp } from '../../../shared/issuers/acme/acme-http';
import { dnsChallengeName } from '../../../shared/issuers/acme/dns-challenge';
import type { IssuanceRequest, IssuanceStep, IssuerProvider, ProviderState } from '../../../shared/issuers/issuer-provider';
import { findFreePort } from '../../../scripts/local-host/ports';
import { ChallTestSrvDnsChallenge } from '../../helpers/challtestsrv-dns-challenge';
import { MemoryAcmeAccounts, MemoryHttp01Answers } from '../../helpers/memory-storage/acme';
import { describeWithPebble, startPebble, type RunningPebble } from '../../helpers/pebble';
import { eventually } from '../../helpers/service-under-test';

/**
 * The ACME provider's steps one by one against Pebble, where the end-to-end files cannot stop between them:
 * start places no order, a cancellation after the answers are published deactivates the pending
 * authorizations and withdraws the answers, a run that died between newOrder and saving the order has its
 * order taken over by the next run (no second order), and an unreachable directory is a retry naming it.
 */
const kek = randomBytes(32);

function issuerFor(directoryUrl: string): IssuerObject {
  return { name: 'le', provider: 'ACME', accountId: directoryUrl, adminContacts: [], enabled: true, created: 0, updated: 0 };
}

async function requestFor(issuer: IssuerObject, names: [string, ...string[]]): Promise<IssuanceRequest> {
  const key = await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csrPem] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, key);
  const csrDer = Buffer.from(csrPem.toString().replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const policy = { subject: `CN=${names[0]}`, sans: { dnsNames: names, emails: [], upns: [], uris: [], ipAddresses: [] } } as unknown as CertificatePolicy;
  return {
    name: 'c',
    requestId: randomBytes(16).toString('hex'),
    version: randomBytes(16).toString('hex'),
    issuerName: issuer.name,
    issuer,
    csrDer,
    policy,
    privateKeyPkcs8: () => Buffer.alloc(0),
    publicKeySpki: Buffer.alloc(0),
    now: new Date(),
  };
}

function stateOf(step: IssuanceStep): ProviderState {
  if (step.kind !== 'pending') throw new Error(`expected pending, got ${JSON.stringify(step)}`);
  return step.state;
}

describeWithPebble('ACME provider steps against Pebble', () => {
  let pebble: RunningPebble;
  let accounts: MemoryAcmeAccounts;
  let provider: IssuerProvider;

  beforeAll(async () => {
    pebble = await startPebble();
    configureAcmeHttp({ caBundlePem: pebble.apiCaCertificatePem });
  });

  beforeEach(() => {
    accounts = new MemoryAcmeAccounts();
    provider = acmeProvider({
      accounts,
      http01: new MemoryHttp01Answers(),
      dnsChallenge: new ChallTestSrvDnsChallenge(pebble.dns),
      keyEncryptionKey: kek,
      passwordBinding: (name) => `issuer:${name}`,
    });
  });

  afterAll(async () => {
    configureAcmeHttp({});
    await pebble?.stop();
  });

  test('start registers the account once and places no order; a repeated start reuses the account', async () => {
    const issuer = issuerFor(pebble.directoryUrl);
    const before = pebble.ordersPlaced();

    const first = await provider.start(await requestFor(issuer, ['start-once.example.com']));
    const again = await provider.start(await requestFor(issuer, ['start-once.example.com']));

    // The intent to order, with the orders the (new) account had at the CA then: none.
    expect(first).toEqual({ kind: 'pending', state: { data: { phase: 'ordering', directoryUrl: pebble.directoryUrl, priorOrders: [] } }, retryAfterSeconds: 0 });
    expect(again).toEqual(first);
    expect(pebble.ordersPlaced() - before).toBe(0);
    expect((await accounts.get('le', pebble.directoryUrl))?.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
  });

  test('the steps of one request share one client per account: the directory is read once, not at every step', async () => {
    const issuer = issuerFor(pebble.directoryUrl);
    const request = await requestFor(issuer, [`one-client-${randomBytes(3).toString('hex')}.example.com`]);
    const directoryReads: string[] = [];
    const counter = acme.axios.interceptors.request.use((config) => {
      if (config.method?.toLowerCase() === 'get' && config.url === pebble.directoryUrl) directoryReads.push(config.url);
      return config;
    });
    try {
      const ordering = stateOf(await provider.start(request));
      const answering = stateOf(await provider.poll(request, ordering));
      stateOf(await provider.poll(request, answering));
      // A second request of the same issuer too.
      stateOf(await provider.start(await requestFor(issuer, ['another.example.com'])));
    } finally {
      acme.axios.interceptors.request.eject(counter);
    }
    expect(directoryReads).toHaveLength(1);
  });

  test('a cancellation once the answers are published deactivates the pending authorization and withdraws the TXT value', async () => {
    const issuer = issuerFor(pebble.directoryUrl);
    const name = `cancel-${randomBytes(3).toString('hex')}.example.com`;
    const request = await requestFor(issuer, [name]);
    const answering = stateOf(await provider.poll(request, stateOf(await provider.start(request))));
    expect(await pebble.dns.txtValues(dnsChallengeName(name))).toHaveLength(1);

    expect(await provider.cancel(request, answering)).toEqual({ kind: 'cancelled' });

    expect(await pebble.dns.txtValues(dnsChallengeName(name))).toEqual([]);
    const record = await accounts.get('le', pebble.directoryUrl);
    const client = new acme.Client({
      directoryUrl: pebble.directoryUrl,
      accountKey: openPrivateKey(kek, record?.sealedAccountKey ?? '', `acme-account:le/${pebble.directoryUrl}`),
      accountUrl: record?.accountUrl ?? '',
    });
    const { authorizations } = answering.data as { authorizations: { url: string }[] };
    const [authorization] = await client.getAuthorizations({ authorizations: authorizations.map((a) => a.url) } as acme.Order);
    expect(authorization?.status).toBe('deactivated');
  });

  test('a run that dies after the CA accepted its order, before the order was saved: the next run takes that order over, and one order is issued', async () => {
    const issuer = issuerFor(pebble.directoryUrl);
    const name = `died-${randomBytes(3).toString('hex')}.example.com`;
    const request = await requestFor(issuer, [name]);
    const before = pebble.ordersPlaced();
    const intent = stateOf(await provider.start(request));

    // The dying run: its DNS write never returns, so it stops right after newOrder and saves nothing, as a
    // host killed there would. Its promise is abandoned; the job still holds only the intent.
    const dying = acmeProvider({
      accounts,
      http01: new MemoryHttp01Answers(),
      dnsChallenge: { setTxt: () => new Promise<void>(() => undefined), removeTxt: () => Promise.resolve() },
      keyEncryptionKey: kek,
      passwordBinding: (issuerName) => `issuer:${issuerName}`,
    });
    void dying.poll(request, intent);
    await eventually('the dying run to place its order', () => Promise.resolve(pebble.ordersPlaced() > before ? true : undefined));

    const answering = stateOf(await provider.poll(request, intent));
    expect(pebble.ordersPlaced() - before).toBe(1);
    const validating = stateOf(await provider.poll(request, answering));
    let step = await provider.poll(request, validating);
    for (let look = 0; step.kind === 'pending' && look < 50; look++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      step = await provider.poll(request, step.state);
    }

    expect(step.kind).toBe('issued');
    expect(pebble.ordersPlaced() - before).toBe(1);
    expect(await pebble.dns.txtValues(dnsChallengeName(name))).toEqual([]);
  });

  test('a run that finds no order of its own left behind places one, even when the account has other orders', async () => {
    const issuer = issuerFor(pebble.directoryUrl);
    const before = pebble.ordersPlaced();
    const other = await requestFor(issuer, [`other-${randomBytes(3).toString('hex')}.example.com`]);
    const request = await requestFor(issuer, [`mine-${randomBytes(3).toString('hex')}.example.com`]);
    const intent = stateOf(await provider.start(request));
    // Another request for other names orders meanwhile: new since the intent, but not this request's.
    await provider.poll(other, stateOf(await provider.start(other)));

    const answering = stateOf(await provider.poll(request, intent));

    expect(pebble.ordersPlaced() - before).toBe(2);
    expect((answering.data as { orderUrl: string }).orderUrl).toMatch(/^https:\/\//);
  });

  test('a directory that does not answer is a retry naming it, not a failure', async () => {
    const directoryUrl = `https://127.0.0.1:${await findFreePort('127.0.0.1')}/dir`;
    const step = await provider.start(await requestFor(issuerFor(directoryUrl), ['unreachable.example.com']));
    expect(step).toEqual({ kind: 'retry', message: `The ACME directory ${directoryUrl} could not be reached (ECONNREFUSED).` });
  });

  test("a failure that is neither the CA's nor the network's (here the account store) is thrown for the job to log, not shown to the caller in its own words", async () => {
    const failingAccounts = Object.assign(Object.create(accounts) as MemoryAcmeAccounts, {
      get: () => Promise.reject(new Error('TableService: internal storage detail')),
    });
    const failing = acmeProvider({ accounts: failingAccounts, http01: new MemoryHttp01Answers(), keyEncryptionKey: kek, passwordBinding: (name) => `issuer:${name}` });
    await expect(failing.start(await requestFor(issuerFor(pebble.directoryUrl), ['store.example.com']))).rejects.toThrow('internal storage detail');
  });

  test('an issuer object that is not usable fails the request as the issuer\'s fault, saying what is wrong', async () => {
    const step = await provider.start(await requestFor({ ...issuerFor(pebble.directoryUrl), accountId: 'http://plain.example/dir' }, ['x.example.com']));
    expect(step).toEqual({ kind: 'failed', code: 'CertificateIssuerError', message: expect.stringContaining('must use https') });
  });
});
