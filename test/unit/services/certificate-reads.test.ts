import { createCertificate } from '../../../shared/services/create-certificate';
import { getCertificateVersion, getLatestCertificate } from '../../../shared/services/certificate-reads';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { memoryServiceContext } from '../../helpers/service-context';

const selfBody = (cn: string) => ({ policy: { x509_props: { subject: `CN=${cn}` }, issuer: { name: 'Self' } } });

async function issue(setup: ReturnType<typeof memoryServiceContext>, name: string, cn: string): Promise<string> {
  const op = await createCertificate(setup.ctx, name, selfBody(cn));
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  return op.version;
}

describe('reading the latest certificate', () => {
  it('serves the newest issued version after a renewal, without its key', async () => {
    const setup = memoryServiceContext();
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

  it('still serves certificates whose head has no copy of the latest version', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'older-head', 'older');
    // A head as this service wrote it before it kept the copy: policy and latest version id only.
    const { certificates } = setup.storage;
    const stored = await certificates.getOperation('older-head');
    const issued = await certificates.getVersion('older-head', version);
    const head = await certificates.getHead('older-head');
    if (!stored || !issued || !head) throw new Error('the certificate was not issued');
    await certificates.completeOperation(stored.value, stored.etag, issued, { name: head.name, policy: head.policy, latestVersion: version });

    const latest = await getLatestCertificate(setup.ctx, 'older-head');
    expect(latest.kind).toBe('issued');
    if (latest.kind !== 'issued') return;
    expect(latest.version.version).toBe(version);
    expect(latest.version.chain).toHaveLength(1);
  });
});
