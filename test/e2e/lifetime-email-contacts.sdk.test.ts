import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { QueueClient } from '@azure/storage-queue';
import type { CertificateEvent } from '../../shared/events/certificate-event';
import { QUEUES } from '../../shared/names';
import { startHostProcess, type HostProcess } from '../helpers/host-process';
import { eventually } from '../helpers/service-under-test';
import { fastPolling } from './private-ca-support';
import { WEBHOOK_SECRET, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * EmailContacts end to end (issue 12): the vault's contacts and the certificates are set through the official
 * JS SDK at real time, then the host is restarted with its clock moved past the lifetime trigger
 * (CLOCK_OFFSET_SECONDS, as in lifetime-renewal.sdk.test.ts) and its lifetime sweep, running every second, raises
 * CertificateNearExpiry: exactly once per due occurrence, addressed to the contacts (`data.Contacts`, ours), on
 * the certificate-events queue and to a webhook that checks the signature. A new version is a new occurrence.
 *
 * The trigger: 1 % of a one-month validity, about 7.5 h after issuance, acted on at most about 3.1 days later
 * (jitter, shared/domain/lifetime-trigger.ts). Four days ahead is past it; a version made at that moved time is
 * due within four more days, so eight days is past that one. The certificate at 50 % of a year is never due.
 */
const DAY = 86_400;
const NEAR_EXPIRY = 'Microsoft.KeyVault.CertificateNearExpiry';
const CONTACTS = [
  { email: 'ops@contoso.example', name: 'Ops', phone: '555-0100' },
  { email: 'pki@contoso.example' },
];
const NOTIFYING: CertificatePolicy = { issuerName: 'Self', subject: 'CN=notice.example', validityInMonths: 1, lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 1 }] };
const NOT_DUE: CertificatePolicy = { issuerName: 'Self', subject: 'CN=quiet.example', validityInMonths: 12, lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 50 }] };

describe('lifetime: EmailContacts raises one CertificateNearExpiry per due occurrence, addressed to the vault\'s contacts (JS SDK, host process)', () => {
  let host: HostProcess;
  let receiver: WebhookReceiver;
  let certificates: CertificateClient;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    host = await startHostProcess({
      settings: {
        LIFETIME_SCHEDULE: '*/1 * * * * *',
        // The host logs each sweep run at debug: how the test knows later runs happened and added nothing.
        LOG_LEVEL: 'debug',
        EVENT_WEBHOOK_1_URL: receiver.url,
        EVENT_WEBHOOK_1_SECRET: WEBHOOK_SECRET,
      },
    });
    certificates = new CertificateClient(host.httpsUrl, host.credential, host.sdkOptions);
  });
  afterAll(async () => {
    await host?.stop();
    await receiver?.close();
  });

  const create = async (name: string, policy: CertificatePolicy) => (await certificates.beginCreateCertificate(name, policy, fastPolling)).pollUntilDone();

  /** The near-expiry events on the certificate-events queue, the one a user's own function reads. */
  async function queuedNotices(): Promise<CertificateEvent[]> {
    const queue = new QueueClient(host.azurite.connectionString, QUEUES.certificateEvents);
    if (!(await queue.exists())) return [];
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as CertificateEvent).filter((e) => e.eventType === NEAR_EXPIRY);
  }

  const sweepRuns = () => host.logs().split("Executed 'lifetimeSweep' (Succeeded").length - 1;

  /** Waits for the notice of this version, then for two more sweep runs after it (which must add nothing). */
  async function noticeThenTwoMoreSweeps(version: string): Promise<void> {
    await eventually(`the near-expiry notice of ${version} (host log:\n${host.logs().slice(-2000)})`, async () =>
      (await queuedNotices()).some((e) => e.data.Version === version) ? true : undefined,
    );
    const runs = sweepRuns();
    await eventually('two more lifetime sweep runs', async () => (sweepRuns() >= runs + 2 ? true : undefined));
  }

  it('once per version at its trigger, with data.Contacts, on the queue and the webhook; none for a certificate not due', async () => {
    await certificates.setContacts(CONTACTS);
    const first = await create('notice', NOTIFYING);
    await create('quiet', NOT_DUE);

    await host.restart({ CLOCK_OFFSET_SECONDS: String(4 * DAY) });
    await noticeThenTwoMoreSweeps(first.properties.version!);
    const afterFirst = await queuedNotices();
    expect(afterFirst.map((e) => [e.subject, e.data.Version])).toEqual([['notice', first.properties.version]]);
    expect(afterFirst[0]).toMatchObject({
      data: {
        ObjectName: 'notice',
        NBF: Math.floor(first.properties.notBefore!.getTime() / 1000),
        EXP: Math.floor(first.properties.expiresOn!.getTime() / 1000),
        Contacts: [{ email: 'ops@contoso.example', name: 'Ops', phone: '555-0100' }, { email: 'pki@contoso.example' }],
      },
    });

    // A new version (a manual create at the moved time) is a new occurrence, due at its own trigger.
    const second = await create('notice', NOTIFYING);
    await host.restart({ CLOCK_OFFSET_SECONDS: String(8 * DAY) });
    await noticeThenTwoMoreSweeps(second.properties.version!);
    const notices = await queuedNotices();
    expect(notices.map((e) => [e.subject, e.data.Version])).toEqual([
      ['notice', first.properties.version],
      ['notice', second.properties.version],
    ]);
    expect(new Set(notices.map((e) => e.id)).size).toBe(2);

    // The webhook got the same two, signed, each once.
    await eventually('both notices at the webhook', async () => (receiver.accepted.filter((e) => e.eventType === NEAR_EXPIRY).length >= 2 ? true : undefined));
    expect(receiver.accepted.filter((e) => e.eventType === NEAR_EXPIRY).map((e) => e.id).sort()).toEqual(notices.map((e) => e.id).sort());
    expect(receiver.accepted.find((e) => e.eventType === NEAR_EXPIRY)?.data.Contacts).toEqual(afterFirst[0]?.data.Contacts);
    expect(receiver.badSignatures).toBe(0);
  });
});
