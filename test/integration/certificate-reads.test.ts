import { createCertificate } from '../../shared/services/create-certificate';
import { getCertificateVersion, getLatestCertificate } from '../../shared/services/certificate-reads';
import { runIssuerJob } from '../../shared/services/issuer-job';
import { type RunningAzurite, startAzurite } from '../helpers/azurite';
import { serviceContextOn } from '../helpers/service-context';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const selfBody = (cn: string) => ({ policy: { x509_props: { subject: `CN=${cn}` }, issuer: { name: 'Self' } } });

async function issue(setup: Awaited<ReturnType<typeof serviceContextOn>>, name: string, cn: string): Promise<string> {
  const op = await createCertificate(setup.ctx, name, selfBody(cn));
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  return op.version;
}

describe('reading the latest certificate', () => {
  it('serves the newest issued version after a renewal, without its key', async () => {
    const setup = await serviceContextOn(azurite.connectionString);
    const first = await issue(setup, 'rotated', 'first');
    const second = await issue(setup, 'rotated', 'second');
    expect(second).not.toBe(first);

    const latest = await getLatestCertificate(setup.ctx, 'Rotated');
    expect(latest.kind).toBe('issued');
    if (latest.kind !== 'issued') return;
    const stored = await getCertificateVersion(setup.ctx, 'rotated', second);
    if (stored.kind !== 'issued') throw new Error('the second version is not issued');
    expect(latest.version).toEqual(stored.version);
    expect(latest.version).not.toHaveProperty('sealedPrivateKey');
    expect(latest.policy?.subject).toBe('CN=second');
  });

  it('still serves certificates whose head was written without the copy of the latest version', async () => {
    const setup = await serviceContextOn(azurite.connectionString);
    const version = await issue(setup, 'older-head', 'older');
    // A head as this service wrote it before it kept the copy: policy and latest version id only.
    const head = await setup.tables.certificates.getEntity<{ data: string }>('older-head', 'head');
    await setup.tables.certificates.updateEntity({ partitionKey: 'older-head', rowKey: 'head', data: head.data }, 'Replace');

    const latest = await getLatestCertificate(setup.ctx, 'older-head');
    expect(latest.kind).toBe('issued');
    if (latest.kind !== 'issued') return;
    expect(latest.version.version).toBe(version);
    expect(latest.version.chain).toHaveLength(1);
  });
});
