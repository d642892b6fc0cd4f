import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { CertificateClient } from '@azure/keyvault-certificates';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/** The README's quick start is a file; this runs it as written against the local host, so it cannot rot. */
let service: ServiceUnderTest;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

it('examples/quickstart.mjs creates a certificate over HTTPS and reads its PFX secret', async () => {
  const name = `quickstart-${Date.now().toString(36)}`;
  // Asynchronous: the service runs in this process and must keep answering while the example runs.
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, '../../examples/quickstart.mjs'), name], {
    cwd: '/',
    env: { ...process.env, VAULT_URL: service.httpsUrl, CA_FILE: service.caCertFile, KV_TOKEN: await service.token() },
    timeout: 60_000,
  });
  expect(stdout).toContain(`created ${service.httpsUrl}/certificates/${name}/`);
  expect(stdout).toMatch(/secret application\/x-pkcs12, \d+ bytes/);

  const certificate = await new CertificateClient(service.url, service.credential, {
    allowInsecureConnection: true,
    disableChallengeResourceVerification: true,
  }).getCertificate(name);
  const thumbprint = new X509Certificate(Buffer.from(certificate.cer as Uint8Array)).fingerprint.replace(/:/g, '').toLowerCase();
  expect(stdout).toContain(`thumbprint ${thumbprint}`);
});
