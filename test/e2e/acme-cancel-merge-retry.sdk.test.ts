import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import type { CertificateClient } from '@azure/keyvault-certificates';
import { useDnsChallengeResponderForTests } from '../../shared/composition';
import { openPrivateKey } from '../../shared/crypto/key-encryption';
import { dnsChallengeName } from '../../shared/issuers/acme/dns-challenge';
import { TABLES } from '../../shared/names';
import { AcmeAccountStore } from '../../shared/storage/acme-store';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { findFreePort } from '../../scripts/local-host/ports';
import { acmePolicy, certificatesOfPemSecret, createAndWait, fastPolling, sdkClients, uniqueDnsName } from '../helpers/acme-e2e';
import { ChallTestSrvDnsChallenge } from '../helpers/challtestsrv-dns-challenge';
import { describeWithPebble, startPebble, type RunningPebble } from '../helpers/pebble';
import { rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';

/**
 * Seed scenarios S7 (merge after the issuer's request ended) and S8 (cancel) against an ACME issuer backed by
 * Pebble, and an ACME directory that never answers (retries the caller can watch, then `failed`), through the
 * official JS SDK. One service, one Pebble.
 *
 * The service waits ACME_DNS_SETTLE_SECONDS (an hour here) between publishing DNS-01 answers and asking Pebble
 * to validate, so an order stays pending at Pebble, with its authorization pending, for as long as a test
 * needs: a cancellation surely comes before validation, however slow the machine. Pebble refuses one name by
 * policy (its domain blocklist), which is how the CA rejects a request at once. Retries are 1 s apart and
 * three at most, so the unreachable directory fails within seconds.
 */
describeWithPebble('ACME issuer: cancel (S8), merge after failure (S7), an unreachable directory, through the JS SDK', () => {
  const BLOCKED = `blocked-${randomBytes(3).toString('hex')}.example.com`;
  const MAX_ATTEMPTS = 3;
  const keyEncryptionKey = randomBytes(32);
  let pebble: RunningPebble;
  let service: ServiceUnderTest;
  let certificates: CertificateClient;
  let bundleDir: string;

  beforeAll(async () => {
    pebble = await startPebble({ domainBlocklist: [BLOCKED] });
    bundleDir = mkdtempSync(join(tmpdir(), 'acme-bundle-'));
    const bundle = join(bundleDir, 'acme-ca.pem');
    writeFileSync(bundle, pebble.apiCaCertificatePem);
    useDnsChallengeResponderForTests(new ChallTestSrvDnsChallenge(pebble.dns));
    service = await startService({
      KEY_ENCRYPTION_KEY: keyEncryptionKey.toString('base64'),
      ACME_CA_BUNDLE: bundle,
      ACME_DNS_SETTLE_SECONDS: '3600',
      ISSUER_RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      ISSUER_RETRY_BASE_SECONDS: '1',
      ISSUER_RETRY_MAX_DELAY_SECONDS: '1',
    });
    ({ certificates } = sdkClients(service));
    await certificates.createIssuer('le', 'ACME', { accountId: pebble.directoryUrl });
  });

  afterAll(async () => {
    useDnsChallengeResponderForTests(undefined);
    await service?.stop();
    await pebble?.stop();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  interface WireOperation {
    status?: string;
    csr?: string;
    cancellation_requested?: boolean;
    error?: { code: string; message: string };
    issuer_job?: { attempts: number; max_attempts: number; last_attempt?: number; next_attempt?: number; last_error?: string };
  }

  /** GET …/pending on the wire: the JS SDK throws on a failed operation and drops `issuer_job`. */
  async function pendingOnTheWire(name: string): Promise<WireOperation> {
    const response = await rawClient(service.url, () => service.token()).request('GET', `/certificates/${name}/pending`);
    return response.body as WireOperation;
  }

  const operationWhen = (name: string, status: string) =>
    eventually(`${name} to be ${status}`, async () => {
      const operation = await pendingOnTheWire(name);
      return operation.status === status ? operation : undefined;
    });

  /** What the ACME provider stored on the operation (readable by an operator): its phase and authorizations. */
  async function providerStateOf(name: string) {
    const stored = await new CertificateStore(service.table(TABLES.certificates)).getOperation(name);
    return stored?.value.providerState?.data as { phase?: string; authorizations?: { url: string }[] } | undefined;
  }

  /** The authorizations' status as Pebble has them, read with the account the service registered there. */
  async function authorizationStatusesAtPebble(urls: string[]): Promise<string[]> {
    const account = await new AcmeAccountStore(service.table(TABLES.issuers)).get('le', pebble.directoryUrl);
    if (!account?.accountUrl) throw new Error('the service registered no ACME account');
    const restore = pebble.trustInAcmeClient(acme.axios);
    try {
      const client = new acme.Client({
        directoryUrl: pebble.directoryUrl,
        // The binding the provider seals the account key with (docs/acme.md): the test holds the same KEK.
        accountKey: openPrivateKey(keyEncryptionKey, account.sealedAccountKey, `acme-account:le/${pebble.directoryUrl}`),
        accountUrl: account.accountUrl,
      });
      const authorizations = await client.getAuthorizations({ authorizations: urls } as acme.Order);
      return authorizations.map((a) => a.status);
    } finally {
      restore();
    }
  }

  test('S8 + S7: an order pending at Pebble refuses a merge (403), is cancelled through the poller (authorization deactivated at Pebble, TXT withdrawn), then a merge completes it', async () => {
    const dnsName = uniqueDnsName('held');
    const name = dnsName.split('.')[0] ?? 'held';
    const ordersBefore = pebble.ordersPlaced();

    const poller = await certificates.beginCreateCertificate(name, acmePolicy('le', [dnsName]), fastPolling);
    // Held mid-order: placed at Pebble, its answer published, the CA not yet asked to validate.
    const held = await eventually(`${name}'s order to be placed and answered`, async () => {
      const state = await providerStateOf(name);
      return state?.phase === 'answering' ? state : undefined;
    });
    const authorizationUrls = (held.authorizations ?? []).map((a) => a.url);
    expect(authorizationUrls).toHaveLength(1);
    expect(await authorizationStatusesAtPebble(authorizationUrls)).toEqual(['pending']);
    expect(await pebble.dns.txtValues(dnsChallengeName(dnsName))).toHaveLength(1);
    expect(pebble.ordersPlaced() - ordersBefore).toBe(1);

    const csr = (await pendingOnTheWire(name)).csr ?? '';
    const outside = await createTestCa();
    const leaf = await outside.sign(csr);
    await expect(certificates.mergeCertificate(name, [leaf, outside.certificateDer])).rejects.toMatchObject({
      statusCode: 403,
      message: 'Merge is forbidden on pending object created with issuer : le while it is in progess.',
    });

    await poller.cancelOperation();
    const cancelled = await operationWhen(name, 'cancelled');
    expect(cancelled.cancellation_requested).toBe(true);
    expect(cancelled.error).toBeUndefined();
    expect((await certificates.getCertificateOperation(name)).getOperationState().certificateOperation?.status).toBe('cancelled');
    expect(await authorizationStatusesAtPebble(authorizationUrls)).toEqual(['deactivated']);
    expect(await pebble.dns.txtValues(dnsChallengeName(dnsName))).toEqual([]);

    const merged = await certificates.mergeCertificate(name, [leaf, outside.certificateDer]);
    expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
    expect(pebble.ordersPlaced() - ordersBefore).toBe(1);
  });

  test("S7: a request the CA rejects ends failed with the CA's problem (surfaced by the poller); a certificate signed elsewhere for the same key is then merged", async () => {
    const name = BLOCKED.split('.')[0] ?? 'blocked';

    await expect(createAndWait(certificates, name, acmePolicy('le', [BLOCKED]))).rejects.toThrow(/urn:ietf:params:acme:error:rejectedIdentifier/);
    const failed = await operationWhen(name, 'failed');
    expect(failed.error?.code).toBe('RequestRejected');
    expect(failed.error?.message).toMatch(/^The ACME server refused the request: urn:ietf:params:acme:error:rejectedIdentifier: .+/);
    expect(failed.error?.message).toContain(BLOCKED);

    const outside = await createTestCa();
    const leaf = await outside.sign(failed.csr ?? '');
    const merged = await certificates.mergeCertificate(name, [leaf, outside.certificateDer]);

    expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
    expect((await certificates.getCertificateOperation(name)).getOperationState().certificateOperation?.status).toBe('completed');
    const { secrets } = sdkClients(service);
    const chain = certificatesOfPemSecret((await secrets.getSecret(name)).value ?? '');
    expect(chain.map((c) => c.raw.toString('base64'))).toEqual([leaf.toString('base64'), outside.certificateDer.toString('base64')]);
  });

  test('an unreachable directory is retried with the retry state visible between attempts, then fails with the true attempt count as an issuer error', async () => {
    const directoryUrl = `https://127.0.0.1:${await findFreePort('127.0.0.1')}/dir`;
    await certificates.createIssuer('nowhere', 'ACME', { accountId: directoryUrl });
    const name = `nowhere-${randomBytes(3).toString('hex')}`;
    const unreachable = `The ACME directory ${directoryUrl} could not be reached (ECONNREFUSED).`;

    const outcome = createAndWait(certificates, name, acmePolicy('nowhere', [`${name}.example.com`])).then(
      () => new Error('the certificate was issued'),
      (error: unknown) => error,
    );
    // Each retry comes a second after the last failure: read the operation while it waits for the next one.
    const seen: NonNullable<WireOperation['issuer_job']>[] = [];
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
      seen.push(
        await eventually(`${name} to show ${attempts} failed attempt(s)`, async () => {
          const operation = await pendingOnTheWire(name);
          return operation.status === 'inProgress' && operation.issuer_job?.attempts === attempts ? operation.issuer_job : undefined;
        }),
      );
    }

    expect(seen.map((job) => job.attempts)).toEqual([1, 2]);
    for (const job of seen) {
      expect(job).toMatchObject({ max_attempts: MAX_ATTEMPTS, last_error: unreachable });
      expect(job.next_attempt).toBeGreaterThan(job.last_attempt ?? Infinity);
    }
    const error = await outcome;
    const abandoned = `Issuance was abandoned after ${MAX_ATTEMPTS} failed attempts. The last one: ${unreachable}`;
    expect(error).toMatchObject({ message: abandoned });
    const failed = await operationWhen(name, 'failed');
    expect(failed.error).toEqual({ code: 'CertificateIssuerError', message: abandoned });
    expect(failed.issuer_job).toMatchObject({ attempts: MAX_ATTEMPTS, max_attempts: MAX_ATTEMPTS, last_error: unreachable });
    expect(failed.issuer_job?.next_attempt).toBeUndefined();
  });
});
