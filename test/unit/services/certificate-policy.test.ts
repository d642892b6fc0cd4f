import { errors } from '../../../shared/api/errors';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import type { PolicyInput } from '../../../shared/domain/policy-resolution';
import { ValidationError } from '../../../shared/domain/validation-error';
import { getCertificateVersion, getLatestCertificate } from '../../../shared/services/certificate-reads';
import { getCertificatePolicy, updateCertificatePolicy } from '../../../shared/services/certificate-policy';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { CertificateRepository } from '../../../shared/storage/repositories';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

type Setup = ReturnType<typeof memoryServiceContext>;

const createBody = (cn: string, extra: PolicyInput = {}) => ({
  policy: {
    key_props: { kty: 'EC', crv: 'P-384', exportable: false },
    x509_props: { subject: `CN=${cn}`, sans: { dns_names: [`${cn}.example`] }, validity_months: 6 },
    issuer: { name: 'Self' },
    ...extra,
  },
});

/** What the JS SDK's updateCertificatePolicy sends for `{ subject }` (spec §2.8): empty objects everywhere. */
const sdkUpdate = (subject: string): PolicyInput => ({
  key_props: {},
  secret_props: {},
  x509_props: { subject, sans: {} },
  issuer: { name: 'Self' },
  attributes: {},
});

async function runJobs(setup: Setup): Promise<void> {
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
}

async function issue(setup: Setup, name: string, cn: string): Promise<string> {
  const op = await createCertificate(setup.ctx, name, createBody(cn));
  await runJobs(setup);
  return op.version;
}

/** The certificate repository with one method replaced, the rest as they are. */
function withCertificates(ctx: ServiceContext, override: Partial<CertificateRepository>): ServiceContext {
  const certificates = Object.assign(Object.create(ctx.certificates) as CertificateRepository, override);
  return { ...ctx, certificates };
}

describe('GET /certificates/{name}/policy', () => {
  it('answers 404 CertificateNotFound, in the words of GET certificate, for a name with nothing', async () => {
    const { ctx } = memoryServiceContext();
    await expect(getCertificatePolicy(ctx, 'nothing-here')).rejects.toEqual(errors.certificateNotFound('nothing-here'));
    await expect(updateCertificatePolicy(ctx, 'nothing-here', sdkUpdate('CN=x'))).rejects.toEqual(errors.certificateNotFound('nothing-here'));
  });

  it("answers an issued certificate's policy under the name as it was created", async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'Web-Site', 'web');
    const { name, policy } = await getCertificatePolicy(setup.ctx, 'web-site');
    expect(name).toBe('Web-Site');
    expect(policy).toMatchObject({ subject: 'CN=web', key: { kty: 'EC', curve: 'P-384' }, validityMonths: 6 });
  });

  it('answers the policy of a first version still being created', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'first', createBody('first'));
    expect((await getCertificatePolicy(setup.ctx, 'first')).policy.subject).toBe('CN=first');
  });
});

describe('PATCH /certificates/{name}/policy', () => {
  it('merges the members given into the current policy and keeps the rest, as Key Vault does with what the SDK sends', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock });
    await issue(setup, 'merged', 'before');
    const before = (await getCertificatePolicy(setup.ctx, 'merged')).policy;
    clock.advance(60);

    const { policy } = await updateCertificatePolicy(setup.ctx, 'merged', { ...sdkUpdate('CN=after'), x509_props: { subject: 'CN=after', sans: {}, validity_months: 12 } });
    expect(policy).toEqual({ ...before, subject: 'CN=after', validityMonths: 12, updated: before.updated + 60 });
    // The SDK's `sans: {}` kept the DNS name; `key_props: {}` kept the EC key and its exportability.
    expect(policy.sans.dnsNames).toEqual(['before.example']);
    expect(policy.key).toEqual({ kty: 'EC', curve: 'P-384', exportable: false, reuseKey: false });
    expect((await getCertificatePolicy(setup.ctx, 'merged')).policy).toEqual(policy);
    const latest = await getLatestCertificate(setup.ctx, 'merged');
    expect(latest.kind === 'issued' && latest.policy).toEqual(policy);
  });

  it('refuses a policy a create would refuse, and keeps the one it had', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'refused', 'kept');
    const before = await getCertificatePolicy(setup.ctx, 'refused');
    const twoActions: PolicyInput = {
      lifetime_actions: [
        { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } },
        { trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } },
      ],
    };
    await expect(updateCertificatePolicy(setup.ctx, 'refused', twoActions)).rejects.toEqual(new ValidationError('At most one action is allowed'));
    await expect(updateCertificatePolicy(setup.ctx, 'refused', { x509_props: { subject: 'not a name' } })).rejects.toThrow(
      /^Property x509_props\.subject has invalid value/,
    );
    await expect(updateCertificatePolicy(setup.ctx, 'refused', { key_props: { key_size: 1024, kty: 'RSA' } })).rejects.toThrow(
      /^Property key_props\.key_size has invalid value/,
    );
    const unknownIssuer = updateCertificatePolicy(setup.ctx, 'refused', { issuer: { name: 'NoSuchIssuer' } });
    await expect(unknownIssuer).rejects.toBeInstanceOf(KeyVaultError);
    await expect(unknownIssuer).rejects.toMatchObject({ status: 400, code: 'BadParameter' });
    // AutoRenew (Self's default) is not allowed once the issuer is Unknown: the merged policy is checked as a whole.
    await expect(updateCertificatePolicy(setup.ctx, 'refused', { issuer: { name: 'Unknown' } })).rejects.toThrow(/AutoRenew needs an issuer/);
    expect(await getCertificatePolicy(setup.ctx, 'refused')).toEqual(before);
  });

  it('is allowed while a create is pending: reads show the new policy at once, the head takes it on completion', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'pending', createBody('made'));
    const { policy } = await updateCertificatePolicy(setup.ctx, 'pending', {
      x509_props: { subject: 'CN=updated' },
      key_props: { exportable: true },
    });
    expect(policy).toMatchObject({ subject: 'CN=updated', key: { exportable: true } });
    const shown = await getLatestCertificate(setup.ctx, 'pending');
    expect(shown.kind === 'pending' && shown.operation.currentPolicy).toEqual(policy);

    await runJobs(setup);
    expect((await getCertificatePolicy(setup.ctx, 'pending')).policy).toEqual(policy);
    // The version itself is what its key and CSR were made as: still CN=made, and its key still not exportable.
    const version = await getCertificateVersion(setup.ctx, 'pending', op.version);
    if (version.kind !== 'issued') throw new Error('the version was not issued');
    expect(version.version.policy.subject).toBe('CN=made');
    expect(version.version.exportable).toBe(false);
  });

  it('is not lost when it lands between an issuer job reading the operation and completing it', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'raced', createBody('made'));
    const [job] = await setup.takeJobs();
    if (!job) throw new Error('no issuer job was queued');
    let raced = false;
    const racing = withCertificates(setup.ctx, {
      async getOperation(name) {
        const read = await setup.ctx.certificates.getOperation(name);
        if (!raced) {
          raced = true;
          await updateCertificatePolicy(setup.ctx, name, { x509_props: { subject: 'CN=patched' } });
        }
        return read;
      },
    });
    // The job's write loses to the update; it reads the operation again and completes with the update in place.
    expect(await runIssuerJob(racing, job)).toBe('issued');
    expect((await getCertificatePolicy(setup.ctx, 'raced')).policy.subject).toBe('CN=patched');
  });

  it('is not lost when a completion lands between its read and its write: it merges again onto what is there', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'completed-first', createBody('made'));
    const [job] = await setup.takeJobs();
    if (!job) throw new Error('no issuer job was queued');
    let completedMeanwhile = false;
    const racing = withCertificates(setup.ctx, {
      async replaceOperationAndHead(operation, head) {
        if (!completedMeanwhile) {
          completedMeanwhile = true;
          expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
        }
        return setup.ctx.certificates.replaceOperationAndHead(operation, head);
      },
    });
    const { policy } = await updateCertificatePolicy(racing, 'completed-first', { x509_props: { subject: 'CN=patched' } });
    expect(policy.subject).toBe('CN=patched');
    expect((await getCertificatePolicy(setup.ctx, 'completed-first')).policy).toEqual(policy);
    expect((await setup.ctx.certificates.getHead('completed-first'))?.policy).toEqual(policy);
  });

  it('answers 409 when it loses every retry', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'contended', 'c');
    const losing = withCertificates(setup.ctx, {
      async replaceOperationAndHead() {
        throw new WriteConflictError('certificate contended: another request changed it first');
      },
    });
    await expect(updateCertificatePolicy(losing, 'contended', { x509_props: { subject: 'CN=x' } })).rejects.toEqual(errors.concurrentUpdate());
  });
});
