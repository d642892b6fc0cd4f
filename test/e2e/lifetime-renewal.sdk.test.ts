import { X509Certificate } from 'node:crypto';
import type { KeyVaultCertificate } from '@azure/keyvault-certificates';
import { eventually } from '../helpers/service-under-test';
import { useLifetimeHost } from './lifetime-support';
import { CA_POLICY, fastPolling } from './private-ca-support';

/**
 * AutoRenew end to end (issue 12): certificates are issued at real time, then the host is restarted with its
 * clock moved past their lifetime trigger (CLOCK_OFFSET_SECONDS, read once at start, so a restart is how it
 * changes, as changing a Function App's settings restarts it), and the lifetime sweep starts a new version
 * through the create path. What a user sees through the official JS SDK: a second version listed, completed,
 * with a new key (the same key where the policy says reuseKey), the first version still there.
 *
 * The trigger: 1 % of a one-month validity, about 7.5 h after issuance; the sweep acts at the trigger plus up to
 * a tenth of the remaining window (jitter, shared/domain/lifetime-trigger.ts), at most about 3.1 days more.
 * Four days ahead is past both, and far before the renewed version's own trigger (its validity starts at the
 * moved time), so each certificate renews exactly once.
 */
const OFFSET_SECONDS = 4 * 86_400;
const RENEWING = { validityInMonths: 1, lifetimeActions: [{ action: 'AutoRenew' as const, lifetimePercentage: 1 }] };

describe('lifetime: AutoRenew at the trigger with the clock moved (JS SDK, host process)', () => {
  const lifetime = useLifetimeHost();

  const { create } = lifetime;
  const versionsOf = async (name: string) => {
    const versions: string[] = [];
    for await (const properties of lifetime.certificates().listPropertiesOfCertificateVersions(name)) versions.push(properties.version ?? '');
    return versions;
  };
  const publicKeyOf = (certificate: KeyVaultCertificate) => new X509Certificate(Buffer.from(certificate.cer as Uint8Array)).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  it('Self and PrivateCA certificates each get one new version (a new key unless reuseKey); the first version stays', async () => {
    await create('lifetime-root', CA_POLICY);
    await lifetime.certificates().createIssuer('lifetime-ca', 'PrivateCA', { accountId: 'lifetime-root' });
    const first = {
      self: await create('renews-self', { issuerName: 'Self', subject: 'CN=renews-self.example', ...RENEWING }),
      privateCa: await create('renews-private', { issuerName: 'lifetime-ca', subject: 'CN=renews-private.example', ...RENEWING }),
      keepsKey: await create('renews-kept', { issuerName: 'Self', subject: 'CN=renews-kept.example', reuseKey: true, ...RENEWING }),
    };
    await lifetime.host().restart({ CLOCK_OFFSET_SECONDS: String(OFFSET_SECONDS) });

    for (const original of Object.values(first)) {
      const name = original.name;
      const versions = await eventually(`${name} to have a second version (host log:\n${lifetime.host().logs().slice(-2000)})`, async () => {
        const listed = await versionsOf(name);
        return listed.length >= 2 ? listed : undefined;
      });
      expect(versions).toHaveLength(2);
      expect(versions).toContain(original.properties.version);

      const operation = await (await lifetime.certificates().getCertificateOperation(name, fastPolling)).pollUntilDone();
      const renewed = await lifetime.certificates().getCertificate(name);
      expect(operation.properties.version).toBe(renewed.properties.version);
      expect(renewed.properties.version).not.toBe(original.properties.version);
      expect(versions).toContain(renewed.properties.version);
      expect((await lifetime.certificates().getCertificateOperation(name)).getOperationState().certificateOperation?.status).toBe('completed');
      expect({ name, sameKey: publicKeyOf(renewed) === publicKeyOf(original) }).toEqual({ name, sameKey: name === 'renews-kept' });
      // Issued at the moved time: the new validity starts past the old version's trigger.
      const originalStart = original.properties.notBefore!.getTime();
      expect(renewed.properties.notBefore!.getTime()).toBeGreaterThan(originalStart + (OFFSET_SECONDS - 3600) * 1000);
      // The renewal is made from the current policy (same issuer, subject, lifetime action).
      expect(renewed.policy?.issuerName).toBe(original.policy?.issuerName);
      expect(renewed.policy?.subject).toBe(original.policy?.subject);
      // The first version is still served as it was.
      const old = await lifetime.certificates().getCertificateVersion(name, original.properties.version!);
      expect(publicKeyOf(old)).toBe(publicKeyOf(original));
      expect(old.properties.enabled).toBe(true);
    }
    // Renewed once: the new versions' own triggers are weeks ahead of the moved clock.
    for (const original of Object.values(first)) expect(await versionsOf(original.name)).toHaveLength(2);
  });
});
