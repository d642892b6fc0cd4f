import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateClient } from '@azure/keyvault-certificates';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { readPemSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * Merge takes the certificate forms Key Vault takes. The JS SDK's own test (Azure/azure-sdk-for-js,
 * sdk/keyvault/keyvault-certificates/test/public/mergeAndImport.spec.ts, "can merge a self signed
 * certificate") is reproduced step for step: the CSR signed by an OpenSSL CA, and the resulting PEM file
 * cut by lines so that its BEGIN line is gone and its END line is glued to the base64 body.
 */
let service: ServiceUnderTest;
let kv: RawClient;
let workDir: string;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
  // The SDK test's CA, "made using: openssl genrsa -out ca.key 2048; openssl req -new -x509 -key ca.key -out ca.crt".
  workDir = mkdtempSync(join(tmpdir(), 'merge-inputs-'));
  execSync('openssl genrsa -out ca.key 2048', { cwd: workDir, stdio: 'ignore' });
  execSync('openssl req -new -x509 -key ca.key -out ca.crt -subj "/CN=SDK test CA"', { cwd: workDir, stdio: 'ignore' });
});

afterAll(async () => {
  await service?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The SDK test's signing step, from the base64 CSR to the file cut as the test cuts it; also the DER, to compare. */
function signAsTheSdkTestDoes(base64Csr: string): { base64Crt: string; der: Buffer } {
  const wrappedCsr = `-----BEGIN CERTIFICATE REQUEST-----\n${base64Csr}\n-----END CERTIFICATE REQUEST-----`;
  writeFileSync(join(workDir, 'test.csr'), wrappedCsr);
  execSync('openssl x509 -req -in test.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out test.crt', { cwd: workDir, stdio: 'ignore' });
  const base64Crt = readFileSync(join(workDir, 'test.crt')).toString().split('\n').slice(1, -1).join('');
  const der = execSync('openssl x509 -in test.crt -outform DER', { cwd: workDir });
  return { base64Crt, der };
}

const manualPolicy = { x509_props: { subject: 'CN=MyCert' }, issuer: { name: 'Unknown' }, secret_props: { contentType: 'application/x-pem-file' } };

describe('merge over raw HTTP', () => {
  it("completes with the SDK test's PEM body that has an END line and no BEGIN line", async () => {
    const name = uniqueName('merge-nobegin');
    const created = await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy });
    expect(created.status).toBe(202);
    const { base64Crt, der } = signAsTheSdkTestDoes(created.body.csr as string);
    expect(base64Crt).toMatch(/^MII[A-Za-z0-9+/=]+-----END CERTIFICATE-----$/);

    // What the SDK puts on the wire for `mergeCertificate(name, [Buffer.from(base64Crt)])`.
    const merged = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: [Buffer.from(base64Crt).toString('base64')] });

    expect(merged.status).toBe(201);
    expect(merged.body.cer).toBe(der.toString('base64'));
    expect((await kv.request('GET', `/certificates/${name}/pending`)).body.status).toBe('completed');
  });

  it('takes a whole chain from one PKCS#7 bundle (.p7b) and serves it in the secret', async () => {
    const name = uniqueName('merge-p7b');
    const created = await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy });
    const { der } = signAsTheSdkTestDoes(created.body.csr as string);
    const bundle = execSync('openssl crl2pkcs7 -nocrl -certfile test.crt -certfile ca.crt -outform DER', { cwd: workDir });
    const caDer = execSync('openssl x509 -in ca.crt -outform DER', { cwd: workDir });

    const merged = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: [bundle.toString('base64')] });

    expect(merged.status).toBe(201);
    const version = (merged.body.id as string).split('/').pop() as string;
    const secret = await kv.request('GET', `/secrets/${name}/${version}`);
    const contents = readPemSecret(secret.body.value as string);
    expect(contents.keyMatchesLeaf).toBe(true);
    expect(contents.certificates.map((c) => c.raw.toString('base64'))).toEqual([der.toString('base64'), caDer.toString('base64')]);
  });

  it('refuses a bad entry with 400 BadParameter naming it, and the request keeps waiting', async () => {
    const name = uniqueName('merge-bad');
    const created = await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy });
    const { der } = signAsTheSdkTestDoes(created.body.csr as string);
    const privateKey = readFileSync(join(workDir, 'ca.key'));

    const refused = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: [der.toString('base64'), privateKey.toString('base64')] });

    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 'BadParameter', message: 'x5c[1] holds PEM block 1 (PRIVATE KEY); only CERTIFICATE and PKCS7 blocks can be merged' },
    });
    expect((await kv.request('GET', `/certificates/${name}/pending`)).body.status).toBe('inProgress');
  });
});

describe('merge through the JS SDK', () => {
  it("mergeCertificate completes with the input of the SDK's own mergeAndImport test", async () => {
    const client = new CertificateClient(service.url, service.credential, { allowInsecureConnection: true, disableChallengeResourceVerification: true });
    const certificateName = uniqueName('merge-sdk');
    await client.beginCreateCertificate(certificateName, { issuerName: 'Unknown', certificateTransparency: false, subject: 'cn=MyCert' });
    const certificateOperationPoller = await client.getCertificateOperation(certificateName);
    const { csr } = certificateOperationPoller.getOperationState().certificateOperation!;
    const base64Csr = Buffer.from(csr!).toString('base64');
    const { base64Crt, der } = signAsTheSdkTestDoes(base64Csr);

    const merged = await client.mergeCertificate(certificateName, [Buffer.from(base64Crt)]);

    expect(merged.name).toBe(certificateName);
    expect(Buffer.from(merged.cer as Uint8Array).equals(der)).toBe(true);
    expect(merged.properties.enabled).toBe(true);
  });
});
