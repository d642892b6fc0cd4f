import type { CertificateClient } from '@azure/keyvault-certificates';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';
import { CA_POLICY, clientsOf, fastPolling, operationWhen } from './private-ca-support';

/**
 * Cancellation and merge (S7, S8) of requests to a PrivateCA issuer, through the JS SDK. The service holds
 * every job back for ISSUANCE_MIN_SECONDS, so the caller's merge and cancellation surely come before the CA
 * signs, however fast the machine is.
 */
describe('PrivateCA cancellation and merge (S7, S8)', () => {
  const MIN_SECONDS = 5;
  let service: ServiceUnderTest;
  let certificates: CertificateClient;

  beforeAll(async () => {
    service = await startService({ ISSUANCE_MIN_SECONDS: String(MIN_SECONDS) });
    ({ certificates } = clientsOf(service));
    await (await certificates.beginCreateCertificate('corp-root', CA_POLICY, fastPolling)).pollUntilDone();
    await certificates.createIssuer('corp-ca', 'PrivateCA', { accountId: 'corp-root' });
  });
  afterAll(() => service?.stop());

  const statusOf = (name: string, status: string) => operationWhen(service, name, status);

  it('S7 + S8: merge is 403 while the request is in progress; cancelled before the job runs, then a merge completes it', async () => {
    await certificates.beginCreateCertificate('s7', { issuerName: 'corp-ca', subject: 'CN=s7.corp.example' }, fastPolling);
    const operation = (await certificates.getCertificateOperation('s7')).getOperationState().certificateOperation;
    expect(operation?.status).toBe('inProgress');
    const csr = Buffer.from(operation?.csr as Uint8Array).toString('base64');
    const outside = await createTestCa();
    const leaf = await outside.sign(csr);
    await expect(certificates.mergeCertificate('s7', [leaf, outside.certificateDer])).rejects.toMatchObject({
      statusCode: 403,
      message: 'Merge is forbidden on pending object created with issuer : corp-ca while it is in progess.',
    });

    await (await certificates.getCertificateOperation('s7', fastPolling)).cancelOperation();
    const cancelled = await statusOf('s7', 'cancelled');
    expect(cancelled.cancellation_requested).toBe(true);
    expect(cancelled.error).toBeUndefined();

    const merged = await certificates.mergeCertificate('s7', [leaf, outside.certificateDer]);
    expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
  });

  it('S7: a request that failed because its CA is disabled can still be completed by a merge', async () => {
    await certificates.updateCertificateProperties('corp-root', '', { enabled: false });
    try {
      await certificates.beginCreateCertificate('s7f', { issuerName: 'corp-ca', subject: 'CN=s7f.corp.example' }, fastPolling);
      const failed = await statusOf('s7f', 'failed');
      expect(failed.error).toMatchObject({ code: 'CertificateIssuerError', message: "The CA certificate 'corp-root' of issuer 'corp-ca' is disabled." });

      const outside = await createTestCa();
      const leaf = await outside.sign(failed.csr as string);
      const merged = await certificates.mergeCertificate('s7f', [leaf, outside.certificateDer]);
      expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
      expect((await certificates.getCertificateOperation('s7f')).getOperationState().certificateOperation?.status).toBe('completed');
    } finally {
      await certificates.updateCertificateProperties('corp-root', '', { enabled: true });
    }
  });
});
