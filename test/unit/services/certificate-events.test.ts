import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificate } from '../../../shared/services/create-certificate';
import { importCertificate } from '../../../shared/services/import-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { publishCertificateEvent } from '../../../shared/services/certificate-events';
import { MemoryEventOutbox } from '../../helpers/memory-event-outbox';
import { memoryServiceContext } from '../../helpers/service-context';

const selfPolicy = { policy: { x509_props: { subject: 'CN=events.example' }, issuer: { name: 'Self' } } };

function context() {
  const events = new MemoryEventOutbox();
  const warnings: string[] = [];
  const built = memoryServiceContext({ events, vaultUrl: 'https://events-vault.example', warn: (m) => warnings.push(m) });
  return { ...built, events, warnings };
}

describe('CertificateNewVersionCreated', () => {
  it('is told once when an issuer job completes a version, naming that version as reads show it', async () => {
    const { ctx, takeJobs, events } = context();
    await createCertificate(ctx, 'web', selfPolicy);
    // Starting a version tells nothing: Key Vault tells the version when it exists.
    expect(events.sent).toEqual([]);
    for (const job of await takeJobs()) await runIssuerJob(ctx, job);
    const latest = await getLatestCertificate(ctx, 'web');
    if (latest.kind !== 'issued') throw new Error('expected an issued certificate');
    expect(events.sent).toEqual([
      expect.objectContaining({
        eventType: 'Microsoft.KeyVault.CertificateNewVersionCreated',
        subject: 'web',
        topic: 'https://events-vault.example',
        data: expect.objectContaining({
          Id: `https://events-vault.example/certificates/web/${latest.version.version}`,
          VaultName: 'events-vault',
          ObjectName: 'web',
          Version: latest.version.version,
          NBF: latest.version.notBefore,
          EXP: latest.version.expires,
        }),
      }),
    ]);
  });

  it('is told for an import, and a redelivered job that finds its work done tells nothing more', async () => {
    const { ctx, takeJobs, events } = context();
    const pem = readFileSync(join(__dirname, '../../fixtures/import', 'ec.pem'), 'utf8');
    const imported = await importCertificate(ctx, 'imported', { value: pem });
    await createCertificate(ctx, 'web', selfPolicy);
    const [job] = await takeJobs();
    if (!job) throw new Error('expected a job');
    await runIssuerJob(ctx, job);
    await runIssuerJob(ctx, job);
    expect(events.sent.map((e) => [e.subject, e.data.Version])).toEqual([
      ['imported', imported.version],
      ['web', expect.stringMatching(/^[0-9a-f]{32}$/)],
    ]);
  });

  it('does not fail a completion whose version is written when the events queue is down; operators are told', async () => {
    const { ctx, takeJobs, events, warnings } = context();
    await createCertificate(ctx, 'web', selfPolicy);
    events.failNext();
    const [job] = await takeJobs();
    if (!job) throw new Error('expected a job');
    await expect(runIssuerJob(ctx, job)).resolves.toBe('issued');
    expect((await getLatestCertificate(ctx, 'web')).kind).toBe('issued');
    expect(events.sent).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^Certificate event newVersionCreated for web\//)]);
  });
});

describe('publishCertificateEvent (what the lifetime sweep calls)', () => {
  it('tells one event per call at the service clock, with the id of its occurrence', async () => {
    const { ctx, events } = context();
    const version = { name: 'web', version: 'b'.repeat(32), notBefore: 1_700_000_000, expires: 1_800_000_000 };
    const first = await publishCertificateEvent(ctx, 'nearExpiry', version, { occurrence: '1797408000' });
    const repeat = await publishCertificateEvent(ctx, 'nearExpiry', version, { occurrence: '1797408000' });
    const next = await publishCertificateEvent(ctx, 'nearExpiry', version, { occurrence: '1797494400' });
    expect(events.sent.map((e) => e.eventType)).toEqual(Array(3).fill('Microsoft.KeyVault.CertificateNearExpiry'));
    expect(repeat.id).toBe(first.id);
    expect(next.id).not.toBe(first.id);
    expect(first.eventTime).toBe(ctx.clock().toISOString());
  });

  it('throws what the queue threw, so a sweep can keep its entry and try again', async () => {
    const { ctx, events } = context();
    events.failNext();
    const version = { name: 'web', version: 'b'.repeat(32), notBefore: 1, expires: 2 };
    await expect(publishCertificateEvent(ctx, 'expired', version)).rejects.toThrow('unreachable');
  });
});
