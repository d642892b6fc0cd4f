import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CertificateClient, type CertificateClientOptions, type CertificatePolicy } from '@azure/keyvault-certificates';
import { CryptographyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import { readPfxSecret } from '../helpers/secret-checks';
import { SDK_CONFORMANCE_SCENARIOS, type SdkConformanceScenario } from '../helpers/sdk-conformance';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';

/**
 * The official JS SDK (@azure/keyvault-certificates, -secrets and -keys, default options but the
 * challenge-resource switch) runs the same conformance scenarios as the .NET and Python programs, by the same
 * names, over HTTPS with the service's CA as its only extra trust.
 */
let service: ServiceUnderTest;
const fastPolling = { intervalInMs: 100 };
/** More than a page of the certificate lists holds (25). */
const PENDING_TO_SPAN_PAGES = 26;
const run = Date.now().toString(36);
const nameFor = (scenario: string) => `${scenario.replace(/_/g, '-')}-js-${run}`;

/** Hands out the service's token and remembers the scopes the SDK asked for (they come from the challenge). */
class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: await service.token(), expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

type PipelinePolicy = NonNullable<CertificateClientOptions['additionalPolicies']>[number]['policy'];

const certificates = (credential: TokenCredential = service.credential, extra: Partial<CertificateClientOptions> = {}) =>
  new CertificateClient(service.httpsUrl, credential, { ...service.sdkOptions, ...extra });

const secrets = () => new SecretClient(service.httpsUrl, service.credential, service.sdkOptions);

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

async function createManual(name: string) {
  const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Unknown', subject: `CN=${name}` }, fastPolling);
  return poller;
}

async function createIssued(name: string, policy: Partial<CertificatePolicy> = {}) {
  const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}`, ...policy } as CertificatePolicy, fastPolling);
  return poller.pollUntilDone();
}

/** A pending request (issuer Unknown) with an EC key, the quickest to make. */
async function createPendingEc(name: string) {
  await certificates().beginCreateCertificate(name, { issuerName: 'Unknown', subject: `CN=${name}`, keyType: 'EC', keyCurveName: 'P-256' });
}

/** Soft delete with the SDK's poller waited to completion, then purge: the name is free again. */
async function deleteAndPurge(name: string) {
  await (await certificates().beginDeleteCertificate(name, fastPolling)).pollUntilDone();
  await certificates().purgeDeletedCertificate(name);
}

async function findListed(name: string) {
  for await (const properties of certificates().listPropertiesOfCertificates()) if (properties.name === name) return properties;
  return undefined;
}

/** A self-signed EC certificate and its key in a password-protected PFX, made with the OpenSSL CLI as a user would. */
function makePfx(subject: string, password: string): { pfx: Buffer; certificate: X509Certificate } {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-pfx-'));
  try {
    const [key, crt, pfx] = ['key.pem', 'crt.pem', 'out.pfx'].map((file) => join(dir, file)) as [string, string, string];
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '30', '-subj', `/${subject.replace(/, /g, '/')}`);
    openssl('pkcs12', '-export', '-in', crt, '-inkey', key, '-out', pfx, '-passout', `pass:${password}`);
    return { pfx: readFileSync(pfx), certificate: new X509Certificate(readFileSync(crt)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const scenarios: Record<SdkConformanceScenario, () => Promise<void>> = {
  async challenge_handshake() {
    const sent: { authorized: boolean; status: number }[] = [];
    const recorder: PipelinePolicy = {
      name: 'record-sends',
      async sendRequest(request, next) {
        const response = await next(request);
        sent.push({ authorized: request.headers.has('authorization'), status: response.status });
        return response;
      },
    };
    const credential = new RecordingCredential();
    const client = certificates(credential, { additionalPolicies: [{ policy: recorder, position: 'perRetry' }] });
    await client.beginCreateCertificate(nameFor('challenge_handshake'), { issuerName: 'Unknown', subject: 'CN=challenge' });
    expect(sent[0]).toEqual({ authorized: false, status: 401 });
    expect(sent[1]).toEqual({ authorized: true, status: 202 });
    expect([...new Set(credential.scopes)]).toEqual(['https://vault.azure.net/.default']);
  },

  async self_create_polled_to_completion() {
    const name = nameFor('self_create_polled_to_completion');
    const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` }, fastPolling);
    const certificate = await poller.pollUntilDone();
    expect(certificate.properties.id).toMatch(new RegExp(`^${service.httpsUrl}/certificates/${name}/[0-9a-f]{32}$`));
    expect(new X509Certificate(Buffer.from(certificate.cer as Uint8Array)).subject).toBe(`CN=${name}`);
  },

  async certificate_and_secret_read() {
    const name = nameFor('certificate_and_secret_read');
    await (await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` }, fastPolling)).pollUntilDone();
    const certificate = await certificates().getCertificate(name);
    const secret = await new SecretClient(service.httpsUrl, service.credential, service.sdkOptions).getSecret(name);
    expect(secret.properties.contentType).toBe('application/x-pkcs12');
    const pfx = readPfxSecret(secret.value as string);
    expect(pfx.keyMatchesLeaf).toBe(true);
    expect(pfx.certificates[0]?.raw.equals(Buffer.from(certificate.cer as Uint8Array))).toBe(true);
  },

  async unknown_create_merged() {
    const name = nameFor('unknown_create_merged');
    const ca = await createTestCa();
    await createManual(name);
    const operation = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    const leaf = await ca.sign(Buffer.from(operation?.csr as Uint8Array).toString('base64'));
    const merged = await certificates().mergeCertificate(name, [leaf, ca.certificateDer]);
    expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
    expect(Buffer.from((await certificates().getCertificate(name)).cer as Uint8Array).equals(leaf)).toBe(true);
  },

  async pending_operation_cancelled() {
    const name = nameFor('pending_operation_cancelled');
    const poller = await createManual(name);
    await poller.cancelOperation();
    // A manual request has no issuer to ask: cancelled at once, without an error, so the SDK returns it.
    const operation = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    expect(operation?.cancellationRequested).toBe(true);
    expect(operation?.status).toBe('cancelled');
    expect(operation?.error).toBeUndefined();
  },

  async pending_operation_deleted() {
    const name = nameFor('pending_operation_deleted');
    await createManual(name);
    await certificates().deleteCertificateOperation(name);
    await expect(certificates().getCertificateOperation(name)).rejects.toMatchObject({ statusCode: 404 });
  },

  async create_while_in_progress_conflicts() {
    const name = nameFor('create_while_in_progress_conflicts');
    await createManual(name);
    await expect(certificates().beginCreateCertificate(name, { issuerName: 'Unknown', subject: `CN=${name}` })).rejects.toMatchObject({
      statusCode: 409,
    });
  },

  async properties_updated() {
    const name = nameFor('properties_updated');
    const issued = await createIssued(name);
    const version = issued.properties.version ?? '';

    // '' addresses the latest version (PATCH /certificates/{name}/).
    const updated = await certificates().updateCertificateProperties(name, '', { enabled: false, tags: { env: 'conformance', sdk: 'js' } });

    expect(updated.properties).toMatchObject({ version, enabled: false, tags: { env: 'conformance', sdk: 'js' } });
    expect((await certificates().getCertificate(name)).properties).toMatchObject({ version, enabled: false, tags: { env: 'conformance', sdk: 'js' } });
    await expect(secrets().getSecret(name, { version })).rejects.toMatchObject({
      statusCode: 403,
      code: 'Forbidden',
      message: 'Operation get is not allowed on a disabled secret.',
    });
  },

  async policy_updated() {
    const name = nameFor('policy_updated');
    await createIssued(name, { validityInMonths: 12 });

    // The JS SDK returns an empty policy from this call (spec §2.8), so the read-back is what shows the change.
    await certificates().updateCertificatePolicy(name, { issuerName: 'Self', subject: 'CN=updated.js.example', validityInMonths: 6 });

    const policy = await certificates().getCertificatePolicy(name);
    expect(policy).toMatchObject({ subject: 'CN=updated.js.example', validityInMonths: 6, issuerName: 'Self', keyType: 'RSA', keySize: 2048 });
  },

  async certificate_versions_listed() {
    const name = nameFor('certificate_versions_listed');
    const first = await createIssued(name);
    const second = await createIssued(name);

    const listed: { version?: string; id?: string }[] = [];
    for await (const properties of certificates().listPropertiesOfCertificateVersions(name)) listed.push(properties);

    const versions = [first.properties.version, second.properties.version];
    expect(listed.map((p) => p.version).sort()).toEqual([...versions].sort());
    expect(listed.map((p) => p.id).sort()).toEqual(versions.map((v) => `${service.httpsUrl}/certificates/${name}/${v}`).sort());
  },

  async issuer_and_contacts_managed() {
    const client = certificates();
    const issuer = nameFor('issuer_and_contacts_managed');
    const created = await client.createIssuer(issuer, 'Test', { accountId: 'conformance-account', password: 'issuer-secret', organizationId: 'org-1' });
    // Not created.name: the JS SDK reads it from the id with its certificate-id parser, so it is always "issuers".
    expect([created.id, created.provider, created.accountId, created.password]).toEqual([
      `${service.httpsUrl}/certificates/issuers/${issuer}`,
      'Test',
      'conformance-account',
      undefined,
    ]);
    expect((await client.getIssuer(issuer)).organizationId).toBe('org-1');
    const updated = await client.updateIssuer(issuer, { organizationId: 'org-2' });
    expect([updated.provider, updated.accountId, updated.organizationId]).toEqual(['Test', 'conformance-account', 'org-2']);
    expect((await client.getIssuer(issuer)).organizationId).toBe('org-2');
    expect((await client.deleteIssuer(issuer)).organizationId).toBe('org-2');
    await expect(client.getIssuer(issuer)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateIssuerNotFound' });

    const contacts = [{ email: 'ops@conformance.example', name: 'Ops', phone: '555-0100' }, { email: 'only-mail@conformance.example' }];
    expect(await client.setContacts(contacts)).toEqual(contacts);
    expect(await client.getContacts()).toEqual(contacts);
    // Its return is not checked: 4.10 builds it from an onResponse hook and gives [] though the service
    // answers the deleted contacts (the .NET and Python SDKs return them).
    await client.deleteContacts();
    await expect(client.getContacts()).rejects.toMatchObject({ statusCode: 404, code: 'ContactsNotFound' });
  },

  async certificate_imported() {
    const name = nameFor('certificate_imported');
    const { pfx, certificate } = makePfx('CN=imported.js.example, O=Conformance', 'import-pw');

    const imported = await certificates().importCertificate(name, pfx, { password: 'import-pw' });

    expect(Buffer.from(imported.cer as Uint8Array).equals(certificate.raw)).toBe(true);
    const read = await certificates().getCertificate(name);
    expect(Buffer.from(read.cer as Uint8Array).equals(certificate.raw)).toBe(true);
    expect(read.policy).toMatchObject({ issuerName: 'Unknown', subject: 'CN=imported.js.example, O=Conformance', keyType: 'EC', keyCurveName: 'P-256' });
    const secret = readPfxSecret((await secrets().getSecret(name)).value as string);
    expect(secret.certificates[0]?.raw.equals(certificate.raw)).toBe(true);
    expect(secret.keyMatchesLeaf).toBe(true);
  },

  async backup_restored() {
    const name = nameFor('backup_restored');
    const issued = await createIssued(name);
    const backup = await certificates().backupCertificate(name);
    if (!backup) throw new Error('backupCertificate returned nothing');
    expect(backup.length).toBeGreaterThan(issued.cer?.length ?? 0);
    // Decoded and authenticated by the service (a blob it cannot open is 400), then refused: the name is live.
    await expect(certificates().restoreCertificateBackup(backup)).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    await deleteAndPurge(name);
    await expect(certificates().getCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });

    const restored = await certificates().restoreCertificateBackup(backup);

    expect(restored.properties).toMatchObject({ name, version: issued.properties.version, vaultUrl: service.httpsUrl });
    const read = await certificates().getCertificate(name);
    expect(read.properties.version).toBe(issued.properties.version);
    expect(Buffer.from(read.cer as Uint8Array).equals(Buffer.from(issued.cer as Uint8Array))).toBe(true);
    const secret = readPfxSecret((await secrets().getSecret(name, { version: issued.properties.version })).value as string);
    expect(secret.certificates[0]?.raw.equals(Buffer.from(issued.cer as Uint8Array))).toBe(true);
    expect(secret.keyMatchesLeaf).toBe(true);
  },

  async certificate_deleted_and_recovered() {
    const name = nameFor('certificate_deleted_and_recovered');
    const issued = await createIssued(name);
    const version = issued.properties.version;

    // The poller waits on GET /deletedcertificates/{name} (404 keeps it polling).
    const deleted = await (await certificates().beginDeleteCertificate(name, fastPolling)).pollUntilDone();

    expect(deleted).toMatchObject({ name, recoveryId: `${service.httpsUrl}/deletedcertificates/${name}` });
    const read = await certificates().getDeletedCertificate(name);
    expect(read).toMatchObject({ name, recoveryId: `${service.httpsUrl}/deletedcertificates/${name}`, properties: { version } });
    expect(read.deletedOn).toBeInstanceOf(Date);
    expect(read.scheduledPurgeDate?.getTime()).toBeGreaterThan(read.deletedOn?.getTime() ?? Infinity);
    await expect(certificates().getCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });

    // The poller starts with GET /certificates/{name}/, recovers, then polls that GET until it answers.
    const recovered = await (await certificates().beginRecoverDeletedCertificate(name, fastPolling)).pollUntilDone();

    expect(recovered.properties.version).toBe(version);
    const live = await certificates().getCertificate(name);
    expect(live.properties.version).toBe(version);
    expect(Buffer.from(live.cer as Uint8Array).equals(Buffer.from(issued.cer as Uint8Array))).toBe(true);

    await deleteAndPurge(name);
    await expect(certificates().getDeletedCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
  },

  async certificates_listed() {
    const prefix = nameFor('certificates_listed');
    const [kept, removed] = [`${prefix}-kept`, `${prefix}-removed`];
    // Enough pending ones that the list spans pages (at most 25 a page), so the pager follows nextLink.
    const pending = Array.from({ length: PENDING_TO_SPAN_PAGES }, (_, i) => `${prefix}-pending-${String(i).padStart(2, '0')}`);
    const [keptIssued] = await Promise.all([createIssued(kept), createIssued(removed), ...pending.map(createPendingEc)]);
    const listed = async (includePending: boolean) => {
      const found: string[] = [];
      let pages = 0;
      for await (const page of certificates().listPropertiesOfCertificates({ includePending }).byPage()) {
        pages++;
        for (const properties of page) if (properties.name?.startsWith(prefix)) found.push(properties.name);
      }
      return { names: found.sort(), pages };
    };

    const withPending = await listed(true);
    expect(withPending.names).toEqual([kept, ...pending, removed]);
    expect(withPending.pages).toBeGreaterThan(1);
    expect((await listed(false)).names).toEqual([kept, removed]);
    const listedKept = await findListed(kept);
    // A list item names the certificate, not a version; it carries the thumbprint of the latest version.
    expect(listedKept?.id).toBe(`${service.httpsUrl}/certificates/${kept}`);
    expect(Buffer.from(listedKept?.x509Thumbprint as Uint8Array).equals(Buffer.from(keptIssued.properties.x509Thumbprint as Uint8Array))).toBe(true);

    await (await certificates().beginDeleteCertificate(removed, fastPolling)).pollUntilDone();

    expect((await listed(true)).names).toEqual([kept, ...pending]);
    const deleted = [];
    for await (const item of certificates().listDeletedCertificates()) if (item.name?.startsWith(prefix)) deleted.push(item);
    expect(deleted.map((d) => [d.name, d.recoveryId])).toEqual([[removed, `${service.httpsUrl}/deletedcertificates/${removed}`]]);
    expect(deleted[0]?.deletedOn).toBeInstanceOf(Date);
    expect(deleted[0]?.scheduledPurgeDate).toBeInstanceOf(Date);
  },

  async key_signs_with_certificate_key() {
    const cases = [
      { label: 'rsa', policy: { keyType: 'RSA', keySize: 2048 }, algorithm: 'RS256', hash: 'sha256' },
      { label: 'ec', policy: { keyType: 'EC', keyCurveName: 'P-256' }, algorithm: 'ES256', hash: 'sha256' },
    ] as const;
    for (const { label, policy, algorithm, hash } of cases) {
      const issued = await createIssued(`${nameFor('key_signs_with_certificate_key')}-${label}`, policy);
      const crypto = new CryptographyClient(issued.keyId as string, service.credential, service.sdkOptions);
      const message = Buffer.from(`signed by the ${label} key of a certificate`);
      const digest = createHash(hash).update(message).digest();

      const signed = await crypto.sign(algorithm, digest);

      // Key Vault's EC signatures are r||s (IEEE P1363), not DER.
      const publicKey = new X509Certificate(Buffer.from(issued.cer as Uint8Array)).publicKey;
      const verifies = (data: Buffer) => verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.result));
      expect([label, verifies(message)]).toEqual([label, true]);
      expect([label, verifies(Buffer.from('something else'))]).toEqual([label, false]);
    }
  },

  async private_ca_issued() {
    const [caName, issuerName, leafName] = ['ca', 'issuer', 'leaf'].map((part) => `${nameFor('private_ca_issued')}-${part}`) as [string, string, string];
    const caSubject = `CN=Conformance CA ${run}, O=Conformance`;
    const ca = await createIssued(caName, { subject: caSubject, keyUsage: ['keyCertSign', 'cRLSign'], enhancedKeyUsage: [], keyType: 'EC', keyCurveName: 'P-256' });
    const issuer = await certificates().createIssuer(issuerName, 'PrivateCA', { accountId: caName });
    expect([issuer.provider, issuer.accountId]).toEqual(['PrivateCA', caName]);

    const issued = await (await certificates().beginCreateCertificate(leafName, { issuerName, subject: `CN=${leafName}.js.example` }, fastPolling)).pollUntilDone();

    expect(issued.policy?.issuerName).toBe(issuerName);
    const caCertificate = new X509Certificate(Buffer.from(ca.cer as Uint8Array));
    const leaf = new X509Certificate(Buffer.from(issued.cer as Uint8Array));
    expect([leaf.subject, leaf.issuer]).toEqual([`CN=${leafName}.js.example`, caCertificate.subject]);
    expect(leaf.checkIssued(caCertificate)).toBe(true);
    expect(leaf.verify(caCertificate.publicKey)).toBe(true);
  },
};

describe('the official JS SDK passes every conformance scenario', () => {
  test.each(SDK_CONFORMANCE_SCENARIOS)('%s', (scenario) => scenarios[scenario]());
});
