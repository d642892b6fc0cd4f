import { QueueClient } from '@azure/storage-queue';
import type { CertificateEvent } from '../../shared/events/certificate-event';
import { QUEUES } from '../../shared/names';
import { rawClient } from '../helpers/raw-client';
import { eventually } from '../helpers/service-under-test';
import { useLifetimeHost } from './lifetime-support';
import { CA_POLICY, fastPolling } from './private-ca-support';

/**
 * Issue 12, through the local host with its clock moved (a restart with CLOCK_OFFSET_SECONDS, as in
 * lifetime-renewal.sdk.test.ts): an expired certificate puts exactly one CertificateExpired on the
 * certificate-events queue; a PrivateCA certificate whose CA certificate was deleted fails to renew, is tried
 * again an hour later, and shows it on GET /certificates/{name}/lifetime while the JS SDK still gets the
 * current version.
 *
 * One-month certificates: 32 days ahead is past their expiry and past the 1 % AutoRenew trigger (with its
 * jitter); 2 h more is past the first retry (1 h after the failed attempt).
 */
const DAY = 86_400;
const MOVED = 32 * DAY;

interface LifetimeState {
  version?: string;
  next_action?: { action_type: string; due_at: number; retry: boolean };
  last_renewal?: { attempt: number; outcome: string; request_id?: string; error?: { code: string; message: string }; next_retry_at?: number };
}

describe('lifetime: CertificateExpired and a failing renewal, with the clock moved (JS SDK, host process)', () => {
  const lifetime = useLifetimeHost();

  const { create } = lifetime;
  const lifetimeOf = async (name: string) => {
    const response = await rawClient(lifetime.host().url, () => lifetime.host().token()).request('GET', `/certificates/${name}/lifetime`);
    expect(response.status).toBe(200);
    return response.body as LifetimeState;
  };
  const queuedEvents = async () => {
    const queue = new QueueClient(lifetime.host().azurite.connectionString, QUEUES.certificateEvents);
    if (!(await queue.exists())) return [];
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as CertificateEvent);
  };
  const failedAttempt = (name: string, attempt: number) =>
    eventually(`${name}'s renewal attempt ${attempt} to fail (host log:\n${lifetime.host().logs().slice(-2000)})`, async () => {
      const state = await lifetimeOf(name);
      return state.last_renewal?.attempt === attempt && state.last_renewal.outcome === 'failed' ? state : undefined;
    });

  it('an expired certificate raises one CertificateExpired; a renewal whose CA is gone fails, retries, and shows it while the current version is served', async () => {
    await create('lf-root', CA_POLICY);
    await lifetime.certificates().createIssuer('lf-ca', 'PrivateCA', { accountId: 'lf-root' });
    const failing = await create('lf-failing', {
      issuerName: 'lf-ca',
      subject: 'CN=lf-failing.example',
      validityInMonths: 1,
      lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 1 }],
    });
    const expiring = await create('lf-expiring', { issuerName: 'Self', subject: 'CN=lf-expiring.example', validityInMonths: 1, lifetimeActions: [] });
    const version = failing.properties.version!;

    const before = await lifetimeOf('lf-failing');
    expect(before).toMatchObject({ version, next_action: { action_type: 'AutoRenew', retry: false } });
    expect(before.last_renewal).toBeUndefined();

    // The CA certificate is deleted: the issuer can no longer sign.
    await (await lifetime.certificates().beginDeleteCertificate('lf-root', fastPolling)).pollUntilDone();
    await lifetime.host().restart({ CLOCK_OFFSET_SECONDS: String(MOVED) });

    const first = await failedAttempt('lf-failing', 1);
    expect(first.last_renewal).toMatchObject({ error: { code: 'CertificateIssuerError', message: expect.stringContaining("'lf-root'") }, next_retry_at: expect.any(Number) });
    expect(first.next_action).toEqual(expect.objectContaining({ action_type: 'AutoRenew', due_at: first.last_renewal?.next_retry_at, retry: true }));
    expect((await lifetime.certificates().getCertificate('lf-failing')).properties.version).toBe(version);

    // An hour and more later, the retry entry tries again, and fails again: attempt 2, another operation.
    await lifetime.host().restart({ CLOCK_OFFSET_SECONDS: String(MOVED + 2 * 3600) });
    const second = await failedAttempt('lf-failing', 2);
    expect(second.last_renewal?.request_id).not.toBe(first.last_renewal?.request_id);
    expect((await lifetime.certificates().getCertificate('lf-failing')).properties.version).toBe(version);

    const events = await eventually('the events on the certificate-events queue', async () => {
      const found = await queuedEvents();
      return found.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateRenewalFailed').length >= 2 ? found : undefined;
    });
    const expired = events.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateExpired' && e.subject === 'lf-expiring');
    expect(expired).toHaveLength(1);
    expect(expired[0]?.data).toMatchObject({ ObjectName: 'lf-expiring', Version: expiring.properties.version, EXP: Math.floor(expiring.properties.expiresOn!.getTime() / 1000) });
    const renewalFailed = events.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateRenewalFailed');
    expect(renewalFailed.map((e) => e.data)).toEqual([
      expect.objectContaining({ ObjectName: 'lf-failing', Version: version, Error: expect.objectContaining({ code: 'CertificateIssuerError' }) }),
      expect.objectContaining({ ObjectName: 'lf-failing', Version: version, Error: expect.objectContaining({ code: 'CertificateIssuerError' }) }),
    ]);
    expect(new Set(renewalFailed.map((e) => e.id)).size).toBe(2);

    // Not found, in Key Vault's shape, for a certificate that does not exist.
    const unknown = await rawClient(lifetime.host().url, () => lifetime.host().token()).request('GET', '/certificates/lf-nothing/lifetime');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'CertificateNotFound' } } });
  });
});
