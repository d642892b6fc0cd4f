import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { startHostProcess, type HostProcess } from '../helpers/host-process';
import { fastPolling } from './private-ca-support';

/** The lifetime sweep every second, so that a restart with the clock moved acts within a second. */
export const LIFETIME_EVERY_SECOND = { LIFETIME_SCHEDULE: '*/1 * * * * *' };

/**
 * For a lifetime e2e file: a host process (restarted by the tests with CLOCK_OFFSET_SECONDS to move its clock)
 * and the official JS SDK's client on it, started before the file's tests and stopped after them.
 */
export function useLifetimeHost(settings: Record<string, string> = {}) {
  let host: HostProcess | undefined;
  let certificates: CertificateClient | undefined;
  beforeAll(async () => {
    host = await startHostProcess({ settings: { ...LIFETIME_EVERY_SECOND, ...settings } });
    certificates = new CertificateClient(host.httpsUrl, host.credential, host.sdkOptions);
  });
  afterAll(() => host?.stop());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the lifetime host is not started (use it inside a test)');
    return value;
  };
  return {
    host: () => started(host),
    certificates: () => started(certificates),
    /** Creates a certificate and waits until its operation completes. */
    create: async (name: string, policy: CertificatePolicy) => (await started(certificates).beginCreateCertificate(name, policy, fastPolling)).pollUntilDone(),
  };
}
