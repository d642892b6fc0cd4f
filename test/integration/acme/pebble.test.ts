import { spawnSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { dnsChallengeName, type DnsChallengeResponder } from '../../../shared/issuers/acme/dns-challenge';
import { ChallTestSrvDnsChallenge } from '../../helpers/challtestsrv-dns-challenge';
import { describeWithPebble, startPebble, type RunningPebble } from '../../helpers/pebble';

/**
 * The ACME test bench on its own, before the service's ACME issuer uses it: acme-client (the library the
 * issuer will use) registers an account at a real Pebble and obtains certificates through DNS-01 (TXT records
 * in challtestsrv, set through the same DnsChallengeResponder interface as Azure DNS) and HTTP-01 (a responder
 * on the port Pebble validates), once with external account binding. Pebble really validates: a wrong answer
 * fails with its problem document. Each chain is verified by OpenSSL against Pebble's root, and Pebble's order
 * counter moves by exactly one per order.
 */

/** acme-client polls an order or challenge after this long at first (its default is 5 s; Pebble is local). */
const POLL_MIN_MS = 100;

type ChallengeType = 'dns-01' | 'http-01';

interface Issued {
  chainPem: string;
  order: acme.Order;
}

/** Token → key authorization, served at /.well-known/acme-challenge/{token} as RFC 8555 §8.3 says. */
class Http01Responder {
  readonly tokens = new Map<string, string>();
  readonly fetched: string[] = [];
  private readonly server: Server = createServer((request, response) => {
    const token = /^\/\.well-known\/acme-challenge\/([\w-]+)$/.exec(request.url ?? '')?.[1];
    const keyAuthorization = token ? this.tokens.get(token) : undefined;
    if (token) this.fetched.push(token);
    response.writeHead(keyAuthorization ? 200 : 404, { 'content-type': 'application/octet-stream' });
    response.end(keyAuthorization ?? '');
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function uniqueName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}.example.com`;
}

async function newAccount(pebble: RunningPebble, eab?: acme.ClientExternalAccountBindingOptions): Promise<acme.Client> {
  const client = new acme.Client({
    directoryUrl: pebble.directoryUrl,
    accountKey: await acme.crypto.createPrivateEcdsaKey('P-256'),
    backoffMin: POLL_MIN_MS,
    backoffMax: 1_000,
    ...(eab ? { externalAccountBinding: eab } : {}),
  });
  await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:acme-tests@example.com'] });
  return client;
}

/** One order, step by step as the issuer will take it: order, answer each authorization, finalize, download. */
async function issue(client: acme.Client, names: string[], type: ChallengeType, answer: { dns: DnsChallengeResponder; http: Http01Responder }): Promise<Issued> {
  const order = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) });
  const published: [string, string][] = [];
  try {
    const authorizations = await client.getAuthorizations(order);
    // Publish every answer first (a wildcard and its apex share one TXT name), then ask for validation.
    const pending = [];
    for (const authorization of authorizations) {
      const challenge = authorization.challenges.find((c) => c.type === type);
      if (!challenge) throw new Error(`Pebble offered no ${type} challenge for ${authorization.identifier.value}`);
      const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
      if (type === 'dns-01') {
        const name = dnsChallengeName(authorization.identifier.value);
        await answer.dns.setTxt(name, keyAuthorization);
        published.push([name, keyAuthorization]);
      } else {
        answer.http.tokens.set(challenge.token, keyAuthorization);
      }
      pending.push(challenge);
    }
    for (const challenge of pending) await client.completeChallenge(challenge);
    for (const challenge of pending) await client.waitForValidStatus(challenge);

    const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, await acme.crypto.createPrivateEcdsaKey('P-256'));
    const finalized = await client.finalizeOrder(order, csr);
    return { chainPem: await client.getCertificate(finalized), order };
  } finally {
    for (const [name, value] of published) await answer.dns.removeTxt(name, value);
  }
}

/** OpenSSL's verdict on the chain (leaf, then intermediates) against Pebble's root, as a TLS server certificate. */
async function opensslVerify(pebble: RunningPebble, chainPem: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'acme-chain-'));
  try {
    const [leaf, ...intermediates] = acme.crypto.splitPemChain(chainPem);
    writeFileSync(join(dir, 'root.pem'), await pebble.rootCertificatePem());
    writeFileSync(join(dir, 'intermediates.pem'), intermediates.join('\n'));
    writeFileSync(join(dir, 'leaf.pem'), leaf ?? '');
    const run = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', 'root.pem', '-untrusted', 'intermediates.pem', 'leaf.pem'], { cwd: dir, encoding: 'utf8' });
    return `${run.stdout}${run.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sanNames(chainPem: string): string[] {
  const [leaf] = acme.crypto.splitPemChain(chainPem);
  const altNames = new X509Certificate(leaf ?? '').subjectAltName ?? '';
  return altNames.split(', ').map((entry) => entry.replace(/^DNS:/, '')).sort();
}

describeWithPebble('ACME against Pebble, straight through acme-client (no EAB)', () => {
  let pebble: RunningPebble;
  let http: Http01Responder;
  let dns: DnsChallengeResponder;
  let client: acme.Client;
  let untrust: () => void;

  beforeAll(async () => {
    http = new Http01Responder();
    const port = await http.listen();
    pebble = await startPebble({ httpChallengePort: port });
    untrust = pebble.trustInAcmeClient(acme.axios);
    dns = new ChallTestSrvDnsChallenge(pebble.dns);
    client = await newAccount(pebble);
  });

  afterAll(async () => {
    untrust?.();
    await Promise.all([pebble?.stop(), http?.close()]);
  });

  test('DNS-01: a wildcard and its apex, answered by two TXT values at one name, validated by Pebble and cleaned up', async () => {
    const apex = uniqueName('dns01');
    const before = pebble.ordersPlaced();

    const { chainPem } = await issue(client, [apex, `*.${apex}`], 'dns-01', { dns, http });

    expect(sanNames(chainPem)).toEqual([`*.${apex}`, apex].sort());
    expect(await opensslVerify(pebble, chainPem)).toBe('leaf.pem: OK');
    expect(pebble.ordersPlaced() - before).toBe(1);
    // Pebble really looked the answer up at challtestsrv, and nothing is left behind.
    expect(await pebble.dns.dnsRequests(dnsChallengeName(apex))).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'TXT' })]));
    expect(await pebble.dns.txtValues(dnsChallengeName(apex))).toEqual([]);
  });

  test('HTTP-01: Pebble fetches the token from the responder on its httpPort', async () => {
    const name = uniqueName('http01');
    const before = pebble.ordersPlaced();

    const { chainPem } = await issue(client, [name], 'http-01', { dns, http });

    expect(sanNames(chainPem)).toEqual([name]);
    expect(await opensslVerify(pebble, chainPem)).toBe('leaf.pem: OK');
    expect(pebble.ordersPlaced() - before).toBe(1);
    expect(http.fetched.length).toBeGreaterThan(0);
  });

  test('validation is real: a wrong TXT value fails the challenge with Pebble\'s problem document', async () => {
    const name = uniqueName('wrong');
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: name }] });
    const [authorization] = await client.getAuthorizations(order);
    const challenge = authorization?.challenges.find((c) => c.type === 'dns-01');
    if (!authorization || !challenge) throw new Error('Pebble offered no dns-01 challenge');
    await dns.setTxt(dnsChallengeName(name), 'not-the-key-authorization');

    await client.completeChallenge(challenge);
    await expect(client.waitForValidStatus(challenge)).rejects.toThrow(/Correct value not found for DNS challenge/);
    // acme-client's error keeps only the detail; the problem type is on the authorization, where the issuer reads it.
    const [failed] = await client.getAuthorizations(order);
    expect(failed?.status).toBe('invalid');
    expect(failed?.challenges.find((c) => c.type === 'dns-01')).toMatchObject({ status: 'invalid', error: { type: 'urn:ietf:params:acme:error:unauthorized' } });
    await dns.removeTxt(dnsChallengeName(name), 'not-the-key-authorization');
  });

  test('the challtestsrv responder adds and removes one value at a time, and repeats are harmless', async () => {
    const name = dnsChallengeName(uniqueName('values'));
    await dns.setTxt(name, 'first');
    await dns.setTxt(name, 'second');
    await dns.setTxt(name, 'first');
    expect((await pebble.dns.txtValues(name)).sort()).toEqual(['first', 'second']);

    await dns.removeTxt(name, 'first');
    await dns.removeTxt(name, 'first');
    expect(await pebble.dns.txtValues(name)).toEqual(['second']);
    await dns.removeTxt(name, 'second');
    expect(await pebble.dns.txtValues(name)).toEqual([]);
  });

  test('the order counter counts orders, not requests: polling and downloading place none', async () => {
    const name = uniqueName('count');
    const before = pebble.ordersPlaced();
    const { order } = await issue(client, [name], 'http-01', { dns, http });
    await client.getOrder(order);
    await client.getAuthorizations(order);
    expect(pebble.ordersPlaced() - before).toBe(1);
  });
});

describeWithPebble('ACME against Pebble with external account binding required', () => {
  let pebble: RunningPebble;
  let http: Http01Responder;
  let untrust: () => void;

  beforeAll(async () => {
    http = new Http01Responder();
    pebble = await startPebble({ httpChallengePort: await http.listen(), externalAccountBinding: true });
    untrust = pebble.trustInAcmeClient(acme.axios);
  });

  afterAll(async () => {
    untrust?.();
    await Promise.all([pebble?.stop(), http?.close()]);
  });

  test('an account without a binding is refused, as the directory announces', async () => {
    await expect(newAccount(pebble)).rejects.toThrow(/requires newAccount requests must include a value for the 'externalAccountBinding' field/);
  });

  test('an account bound with the key id and HMAC key gets a certificate through DNS-01', async () => {
    const eab = pebble.externalAccountBinding;
    if (!eab) throw new Error('startPebble({ externalAccountBinding: true }) gave no binding');
    const client = await newAccount(pebble, eab);
    const name = uniqueName('eab');
    const before = pebble.ordersPlaced();

    const { chainPem } = await issue(client, [name], 'dns-01', { dns: new ChallTestSrvDnsChallenge(pebble.dns), http });

    expect(sanNames(chainPem)).toEqual([name]);
    expect(await opensslVerify(pebble, chainPem)).toBe('leaf.pem: OK');
    expect(pebble.ordersPlaced() - before).toBe(1);
  });

  test('a binding signed with another HMAC key is refused: Pebble checks the MAC, not only the key id', async () => {
    const eab = pebble.externalAccountBinding;
    if (!eab) throw new Error('no binding');
    await expect(newAccount(pebble, { kid: eab.kid, hmacKey: randomBytes(32).toString('base64url') })).rejects.toThrow(/external account binding JWS verification error/);
  });
});
