import { X509Certificate } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CertificateClient, type CertificateClientOptions } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { readPfxSecret } from '../helpers/secret-checks';
import { SDK_CONFORMANCE_SCENARIOS, type SdkConformanceScenario } from '../helpers/sdk-conformance';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';

/**
 * The official JS SDK (@azure/keyvault-certificates and -secrets, default options but the challenge-resource
 * switch) runs the same conformance scenarios as the .NET and Python programs, by the same names, over HTTPS
 * with the service's CA as its only extra trust.
 */
let service: ServiceUnderTest;
const fastPolling = { intervalInMs: 100 };
const run = Date.now().toString(36);
const nameFor = (scenario: string) => `${scenario.replace(/_/g, '-')}-js-${run}`;

/** Hands out the service's token and remembers the scopes the SDK asked for (they come from the challenge). */
class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: await service.token(), expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

type PipelinePolicy = NonNullable<CertificateClientOptions['additionalPolicies']>[number]['policy'];

const certificates = (credential: TokenCredential = service.credential, extra: Partial<CertificateClientOptions> = {}) =>
  new CertificateClient(service.httpsUrl, credential, { ...service.sdkOptions, ...extra });

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

async function createManual(name: string) {
  const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Unknown', subject: `CN=${name}` }, fastPolling);
  return poller;
}

const scenarios: Record<SdkConformanceScenario, () => Promise<void>> = {
  async challenge_handshake() {
    const sent: { authorized: boolean; status: number }[] = [];
    const recorder: PipelinePolicy = {
      name: 'record-sends',
      async sendRequest(request, next) {
        const response = await next(request);
        sent.push({ authorized: request.headers.has('authorization'), status: response.status });
        return response;
      },
    };
    const credential = new RecordingCredential();
    const client = certificates(credential, { additionalPolicies: [{ policy: recorder, position: 'perRetry' }] });
    await client.beginCreateCertificate(nameFor('challenge_handshake'), { issuerName: 'Unknown', subject: 'CN=challenge' });
    expect(sent[0]).toEqual({ authorized: false, status: 401 });
    expect(sent[1]).toEqual({ authorized: true, status: 202 });
    expect([...new Set(credential.scopes)]).toEqual(['https://vault.azure.net/.default']);
  },

  async self_create_polled_to_completion() {
    const name = nameFor('self_create_polled_to_completion');
    const poller = await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` }, fastPolling);
    const certificate = await poller.pollUntilDone();
    expect(certificate.properties.id).toMatch(new RegExp(`^${service.httpsUrl}/certificates/${name}/[0-9a-f]{32}$`));
    expect(new X509Certificate(Buffer.from(certificate.cer as Uint8Array)).subject).toBe(`CN=${name}`);
  },

  async certificate_and_secret_read() {
    const name = nameFor('certificate_and_secret_read');
    await (await certificates().beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` }, fastPolling)).pollUntilDone();
    const certificate = await certificates().getCertificate(name);
    const secret = await new SecretClient(service.httpsUrl, service.credential, service.sdkOptions).getSecret(name);
    expect(secret.properties.contentType).toBe('application/x-pkcs12');
    const pfx = readPfxSecret(secret.value as string);
    expect(pfx.keyMatchesLeaf).toBe(true);
    expect(pfx.certificates[0]?.raw.equals(Buffer.from(certificate.cer as Uint8Array))).toBe(true);
  },

  async unknown_create_merged() {
    const name = nameFor('unknown_create_merged');
    const ca = await createTestCa();
    await createManual(name);
    const operation = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    const leaf = await ca.sign(Buffer.from(operation?.csr as Uint8Array).toString('base64'));
    const merged = await certificates().mergeCertificate(name, [leaf, ca.certificateDer]);
    expect(Buffer.from(merged.cer as Uint8Array).equals(leaf)).toBe(true);
    expect(Buffer.from((await certificates().getCertificate(name)).cer as Uint8Array).equals(leaf)).toBe(true);
  },

  async pending_operation_cancelled() {
    const name = nameFor('pending_operation_cancelled');
    const poller = await createManual(name);
    await poller.cancelOperation();
    // A manual request has no issuer to ask: cancelled at once, without an error, so the SDK returns it.
    const operation = (await certificates().getCertificateOperation(name)).getOperationState().certificateOperation;
    expect(operation?.cancellationRequested).toBe(true);
    expect(operation?.status).toBe('cancelled');
    expect(operation?.error).toBeUndefined();
  },

  async pending_operation_deleted() {
    const name = nameFor('pending_operation_deleted');
    await createManual(name);
    await certificates().deleteCertificateOperation(name);
    await expect(certificates().getCertificateOperation(name)).rejects.toMatchObject({ statusCode: 404 });
  },

  async create_while_in_progress_conflicts() {
    const name = nameFor('create_while_in_progress_conflicts');
    await createManual(name);
    await expect(certificates().beginCreateCertificate(name, { issuerName: 'Unknown', subject: `CN=${name}` })).rejects.toMatchObject({
      statusCode: 409,
    });
  },
};

describe('the official JS SDK passes every conformance scenario', () => {
  test.each(SDK_CONFORMANCE_SCENARIOS)('%s', (scenario) => scenarios[scenario]());
});
