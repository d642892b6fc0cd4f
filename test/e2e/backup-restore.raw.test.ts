import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePolicy } from '../../shared/domain/policy-resolution';
import type { CertificateVersion } from '../../shared/domain/certificate-version';
import { completed } from '../../shared/domain/pending-operation';
import { TABLES } from '../../shared/names';
import { decodeBackup, encodeBackup } from '../../shared/services/backup-blob';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { operationFixture } from '../helpers/operation-fixture';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * POST /certificates/{name}/backup and POST /certificates/restore over raw HTTP: each answer the two routes
 * give, with the exact status, code, inner code and message (contract §2.10 and the error catalogue, §5.3).
 * The service runs with a known key-encryption key, so the test can open its blobs and make foreign ones.
 */
const kek = randomBytes(32);
let service: ServiceUnderTest;
let kv: RawClient;
let store: CertificateStore;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const fixture = (file: string): Buffer => readFileSync(join(__dirname, '../fixtures/import', file));
const CORRUPT = { error: { code: 'BadParameter', message: 'Backup blob contains invalid or corrupt version.' } };
const notFound = (name: string) => ({
  error: {
    code: 'CertificateNotFound',
    message: `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  },
});

beforeAll(async () => {
  service = await startService({ KEY_ENCRYPTION_KEY: kek.toString('base64') });
  kv = rawClient(service.url, () => service.token());
  store = new CertificateStore(service.table(TABLES.certificates));
});
afterAll(() => service?.stop());

async function imported(name: string): Promise<Record<string, unknown>> {
  const response = await kv.request('POST', `/certificates/${name}/import`, { value: fixture('rsa-aes.pfx').toString('base64'), pwd: 's3cret', tags: { t: '1' } });
  expect(response.status).toBe(200);
  return response.body;
}

async function backupOf(name: string): Promise<string> {
  const response = await kv.request('POST', `/certificates/${name}/backup`);
  expect(response.status).toBe(200);
  return String(response.body.value);
}

async function removeRows(name: string): Promise<void> {
  const table = service.table(TABLES.certificates);
  for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${name.toLowerCase()}'`, select: ['RowKey'] } })) {
    await table.deleteEntity(name.toLowerCase(), row.rowKey ?? '');
  }
}

describe('POST /certificates/{name}/backup', () => {
  it('answers 200 with only a base64url value, which holds nothing readable', async () => {
    const name = uniqueName('raw-backup');
    await imported(name);
    const response = await kv.request('POST', `/certificates/${name}/backup`);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['value']);
    expect(response.body.value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(String(response.body.value), 'base64url').includes(Buffer.from('import.example'))).toBe(false);
  });

  it('answers 404 CertificateNotFound for a name with no certificate', async () => {
    const name = uniqueName('raw-missing');
    const response = await kv.request('POST', `/certificates/${name}/backup`);
    expect({ status: response.status, body: response.body }).toEqual({ status: 404, body: notFound(name) });
  });

  it('answers 404 for a soft-deleted certificate', async () => {
    const name = uniqueName('raw-deleted');
    await imported(name);
    await markDeleted(name);
    const response = await kv.request('POST', `/certificates/${name}/backup`);
    expect({ status: response.status, body: response.body }).toEqual({ status: 404, body: notFound(name) });
  });

  it('refuses a certificate with more than 500 versions: 400 BadParameter', async () => {
    const name = uniqueName('raw-many');
    await store.restore(manyVersions(name, 501));
    const response = await kv.request('POST', `/certificates/${name}/backup`);
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: { error: { code: 'BadParameter', message: `Certificate ${name} has more than 500 versions; a backup can hold at most 500 versions of a certificate.` } },
    });
  });
});

describe('POST /certificates/restore', () => {
  it('answers 200 with the certificate bundle and policy of the latest version, as it was before', async () => {
    const name = uniqueName('raw-restore');
    const original = await imported(name);
    const policy = (await kv.request('GET', `/certificates/${name}/policy`)).body;
    const value = await backupOf(name);
    await removeRows(name);

    const response = await kv.request('POST', '/certificates/restore', { value });
    expect(response.status).toBe(200);
    const { attributes, policy: restoredPolicy, ...rest } = response.body;
    const { attributes: originalAttributes, policy: _policy, ...originalRest } = original;
    expect(rest).toEqual(originalRest);
    expect(attributes).toEqual(originalAttributes);
    expect(restoredPolicy).toEqual(policy);
    expect((await kv.request('GET', `/certificates/${name}/`)).body.id).toBe(original.id);
    expect((await kv.request('GET', `/secrets/${name}/`)).status).toBe(200);
  });

  it('answers 409 Conflict while the certificate exists, naming the version in the blob', async () => {
    const name = uniqueName('raw-exists');
    const original = await imported(name);
    const response = await kv.request('POST', '/certificates/restore', { value: await backupOf(name) });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 409,
      body: { error: { code: 'Conflict', message: `Conflict while restoring certificate ${String(original.id)} - certificate already exists or concurrent access` } },
    });
  });

  it('answers 409 Conflict (ObjectIsDeletedButRecoverable) for a name in the soft-deleted state', async () => {
    const name = uniqueName('raw-recoverable');
    await imported(name);
    const value = await backupOf(name);
    await markDeleted(name);
    const response = await kv.request('POST', '/certificates/restore', { value });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 409,
      body: {
        error: {
          code: 'Conflict',
          message: `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`,
          innererror: { code: 'ObjectIsDeletedButRecoverable' },
        },
      },
    });
  });

  it('answers 400 BadParameter "Backup blob contains invalid or corrupt version." for a tampered, truncated, foreign or non-base64url blob', async () => {
    const name = uniqueName('raw-corrupt');
    await imported(name);
    const value = await backupOf(name);
    await removeRows(name);
    const bytes = Buffer.from(value, 'base64url');
    const tampered = Buffer.from(bytes);
    tampered[bytes.length - 40] = (tampered[bytes.length - 40] ?? 0) ^ 0x01;
    // The same backup sealed under another deployment's key-encryption key.
    const foreign = encodeBackup(randomBytes(32), decodeBackup(kek, value));
    const bad = {
      tampered: tampered.toString('base64url'),
      truncated: bytes.subarray(0, bytes.length - 1).toString('base64url'),
      foreign,
      'not base64url': `${value.slice(0, 20)}+/${value.slice(22)}`,
      'Key Vault blob': Buffer.from('&AzureKeyVaultKeyBackupV1.microsoft.com').toString('base64url'),
    };
    for (const [what, blob] of Object.entries(bad)) {
      const response = await kv.request('POST', '/certificates/restore', { value: blob });
      expect({ what, status: response.status, body: response.body }).toEqual({ what, status: 400, body: CORRUPT });
    }
    expect((await kv.request('GET', `/certificates/${name}/`)).status).toBe(404);
  });

  it('answers 400 BadParameter for a body without a value', async () => {
    for (const body of [{}, { value: 5 }, { value: '' }]) {
      const response = await kv.request('POST', '/certificates/restore', body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'BadParameter', message: expect.stringMatching(/^Property has invalid value: value: /) } });
    }
    const empty = await kv.request('POST', '/certificates/restore');
    expect({ status: empty.status, body: empty.body }).toEqual({
      status: 400,
      body: { error: { code: 'BadParameter', message: 'The request body is empty; a JSON object is required.' } },
    });
  });
});

/** Records a soft delete on the head as the delete route does (CertificateHead.deletion). */
async function markDeleted(name: string): Promise<void> {
  const [operation, head] = await Promise.all([store.getOperation(name), store.getStoredHead(name)]);
  if (!operation || !head) throw new Error(`${name} has no head`);
  const now = Math.floor(Date.now() / 1000);
  await store.replaceOperationAndHead(operation, { value: { ...head.value, deletion: { deletedDate: now, scheduledPurgeDate: now + 90 * 86_400 } }, etag: head.etag });
}

/** A certificate of `count` placeholder versions, written as a restore writes them (no key generation). */
function manyVersions(name: string, count: number) {
  const policy = resolvePolicy({ x509_props: { subject: `CN=${name}` } }, 0);
  const versions = Array.from({ length: count }, (_, i): CertificateVersion => ({
    name, version: (i + 1).toString(16).padStart(32, '0'), enabled: true, notBefore: 0, expires: 1, created: 0, updated: 0, tags: {},
    chain: ['bGVhZg'], x5t: 'eDV0', keySpec: policy.key, exportable: true, publicKeySpki: 'c3BraQ',
    secretContentType: policy.secretContentType, policy, preserveCertOrder: false,
  }));
  const latest = versions.at(-1) as CertificateVersion;
  const operation = { ...completed(operationFixture({ name, requestId: 'r', version: latest.version, policy, created: 0 }), 0), deleted: true };
  return { head: { name, policy, latestVersion: latest.version }, operation, versions };
}
