import { X509Certificate } from 'node:crypto';
import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { readPemSecret, readPfxSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';

/**
 * The seed's scenarios S1–S11 through the official SDKs, unmodified: the client a user of this service has.
 * Each test builds its own client, so every one starts with the SDK's token-less challenge request.
 */
let service: ServiceUnderTest;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-sdk-${Date.now().toString(36)}-${++counter}`;
const clientOptions = { allowInsecureConnection: true, disableChallengeResourceVerification: true };
const fastPolling = { intervalInMs: 200 };

const certificates = () => new CertificateClient(service.url, service.credential, clientOptions);
const secrets = () => new SecretClient(service.url, service.credential, clientOptions);

// EC keys where the scenario is not about the key (an RSA key costs the host a tenth of a second or more to make);
// S1 + S3 keep the default key (RSA 2048), as a user who names none gets it.
const EC = { keyType: 'EC', keyCurveName: 'P-256' } as const;
const testIssuerPolicy: CertificatePolicy = { issuerName: 'sdk-never-done', subject: 'CN=sdk.example', ...EC };
const manualPolicy: CertificatePolicy = { issuerName: 'Unknown', subject: 'CN=manual.sdk.example', ...EC };

beforeAll(async () => {
  service = await startService();
  await certificates().createIssuer('sdk-never-done', 'Test');
  await certificates().createIssuer('sdk-digicert', 'DigiCert');
});

afterAll(async () => {
  await service?.stop();
});

async function operationStatus(name: string, status: string) {
  return eventually(`${name} to be ${status}`, async () => {
    const poller = await certificates().getCertificateOperation(name);
    const op = poller.getOperationState().certificateOperation;
    return op?.status === status ? op : undefined;
  });
}

/**
 * A cancelled operation carries no error, as on Key Vault, so the SDK's operation poller returns it (with an
 * error it would throw the error's message instead): the user reads the status.
 */
async function cancellationSeen(name: string) {
  const op = await operationStatus(name, 'cancelled');
  expect(op).toMatchObject({ status: 'cancelled', cancellationRequested: true });
  expect(op.error).toBeUndefined();
  expect(op.statusDetails).toBeUndefined();
}

describe('the SDK drives the seed scenarios', () => {
  it('S1 + S3: beginCreateCertificate with Self, pollUntilDone, and the secret is a PFX with the matching key', async () => {
    const name = uniqueName('s1');
    const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=x' }, fastPolling);
    const certificate = await poller.pollUntilDone();
    expect(certificate.name).toBe(name);
    expect(certificate.properties.enabled).toBe(true);
    expect(certificate.policy?.issuerName).toBe('Self');
    expect(new X509Certificate(Buffer.from(certificate.cer as Uint8Array)).subject).toBe('CN=x');

    const completed = await operationStatus(name, 'completed');
    expect(completed.target).toBe(`${service.url}/certificates/${name}`);

    const secret = await secrets().getSecret(name);
    expect(secret.properties.contentType).toBe('application/x-pkcs12');
    expect(secret.properties.certificateKeyId).toBe(certificate.keyId);
    const contents = readPfxSecret(secret.value as string);
    expect(contents.keyMatchesLeaf).toBe(true);
    expect(contents.certificates[0]?.raw.equals(Buffer.from(certificate.cer as Uint8Array))).toBe(true);
  });

  it('S2: getCertificateOperation shows an in-progress request with its CSR', async () => {
    const name = uniqueName('s2');
    await certificates().beginCreateCertificate(name, testIssuerPolicy, fastPolling);
    const op = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    expect(op).toMatchObject({ status: 'inProgress', issuerName: 'sdk-never-done', cancellationRequested: false });
    expect(op?.csr?.length).toBeGreaterThan(100);
    expect(op?.requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('S4 + S8: the poller cancels; the operation ends cancelled without an error, and a failed provider keeps its error', async () => {
    const name = uniqueName('s4');
    const poller = await certificates().beginCreateCertificate(name, testIssuerPolicy, fastPolling);
    await poller.cancelOperation();
    expect(poller.getOperationState().isCancelled).toBe(true);
    // The job may already have ended it as cancelled (the raw test pins the PATCH answer itself).
    await cancellationSeen(name);

    const failing = uniqueName('s4f');
    // The issuer job may fail the operation before beginCreateCertificate's own first poll, which then throws
    // itself; a user sees the same error from one or the other, so the two are awaited as one.
    const created = certificates()
      .beginCreateCertificate(failing, { issuerName: 'sdk-digicert', subject: 'CN=x', ...EC }, fastPolling)
      .then((poller) => poller.pollUntilDone());
    await expect(created).rejects.toThrow("The issuer provider 'DigiCert' of issuer 'sdk-digicert' is not available in this deployment.");
    // The operation poller reports the failed operation the same way: its error message.
    await expect(certificates().getCertificateOperation(failing)).rejects.toThrow(
      "The issuer provider 'DigiCert' of issuer 'sdk-digicert' is not available in this deployment.",
    );
  });

  it('S5 + S9: deleteCertificateOperation returns the operation, after which it is not found', async () => {
    const name = uniqueName('s5');
    await certificates().beginCreateCertificate(name, testIssuerPolicy, fastPolling);
    const deleted = await certificates().deleteCertificateOperation(name);
    expect(deleted.status).toBe('inProgress');
    await expect(certificates().getCertificateOperation(name)).rejects.toMatchObject({
      statusCode: 404,
      code: 'PendingCertificateNotFound',
      message: `Pending certificate not found: ${name}`,
    });
  });

  it('S6: a second create while the first is in progress is refused with 409', async () => {
    const name = uniqueName('s6');
    await certificates().beginCreateCertificate(name, testIssuerPolicy, fastPolling);
    await expect(certificates().beginCreateCertificate(name, testIssuerPolicy, fastPolling)).rejects.toMatchObject({
      statusCode: 409,
      message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
    });
  });

  it('S7: merge on an issuer-backed request in progress is 403; after cancellation it completes the certificate', async () => {
    const name = uniqueName('s7');
    const ca = await createTestCa();
    await certificates().beginCreateCertificate(name, testIssuerPolicy, fastPolling);
    const op = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    const leaf = await ca.sign(Buffer.from(op?.csr as Uint8Array).toString('base64'));
    await expect(certificates().mergeCertificate(name, [leaf, ca.certificateDer])).rejects.toMatchObject({
      statusCode: 403,
      message: 'Merge is forbidden on pending object created with issuer : sdk-never-done while it is in progess.',
    });
    const poller = await certificates().getCertificateOperation(name, fastPolling);
    await poller.cancelOperation();
    await cancellationSeen(name);
    const merged = await certificates().mergeCertificate(name, [leaf, ca.certificateDer]);
    expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
  });

  it('S8: a manual request is cancelled at once, and the operation poller returns it', async () => {
    const name = uniqueName('s8m');
    await certificates().beginCreateCertificate(name, manualPolicy, fastPolling);
    const poller = await certificates().getCertificateOperation(name, fastPolling);
    await poller.cancelOperation();
    expect(poller.getOperationState().certificateOperation).toMatchObject({ status: 'cancelled', cancellationRequested: true });
    const reread = (await certificates().getCertificateOperation(name)).getOperationState();
    expect(reread.isCompleted).toBe(true);
    expect(reread.certificateOperation).toMatchObject({ status: 'cancelled', cancellationRequested: true });
    expect(reread.certificateOperation?.error).toBeUndefined();
  });

  it('S8: cancelling an operation that is no longer in progress is a 400', async () => {
    const name = uniqueName('s8');
    const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=x', ...EC }, fastPolling);
    await poller.pollUntilDone();
    await expect(poller.cancelOperation()).rejects.toMatchObject({ statusCode: 400 });
  });

  it('S10 + S11: a manual request asks for a merge, and the merged chain completes it', async () => {
    const name = uniqueName('s10');
    const ca = await createTestCa();
    const poller = await certificates().beginCreateCertificate(name, { ...manualPolicy, contentType: 'application/x-pem-file' }, fastPolling);
    const op = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    expect(op?.statusDetails).toBe('Pending certificate created. Please Perform Merge to complete the request.');
    const leaf = await ca.sign(Buffer.from(op?.csr as Uint8Array).toString('base64'));

    const merged = await certificates().mergeCertificate(name, [leaf, ca.certificateDer]);
    expect(merged.name).toBe(name);
    expect(merged.policy?.issuerName).toBe('Unknown');
    expect(merged.properties.x509ThumbprintString).toBe(new X509Certificate(leaf).fingerprint.replace(/:/g, '').toLowerCase());

    // The create poller, still waiting on the manual request, now finishes with the merged certificate.
    const finished = await poller.pollUntilDone();
    expect(finished.properties.version).toBe(merged.properties.version);

    const secret = await secrets().getSecret(name);
    const contents = readPemSecret(secret.value as string);
    expect(contents.keyMatchesLeaf).toBe(true);
    expect(contents.certificates).toHaveLength(2);
  });

  it('S11: a chain for another key is refused with 400 and a clear message', async () => {
    const name = uniqueName('s11');
    const ca = await createTestCa();
    await certificates().beginCreateCertificate(name, manualPolicy, fastPolling);
    const other = uniqueName('s11o');
    await certificates().beginCreateCertificate(other, manualPolicy, fastPolling);
    const otherOp = (await certificates().getCertificateOperation(other)).getOperationState().certificateOperation;
    const foreign = await ca.sign(Buffer.from(otherOp?.csr as Uint8Array).toString('base64'));
    await expect(certificates().mergeCertificate(name, [foreign])).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/public key/) });
  });
});
