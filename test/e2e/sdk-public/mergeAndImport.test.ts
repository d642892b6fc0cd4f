/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/mergeAndImport.spec.ts
 * at commit 011df67eb0749d1947e6f845e78ef7dc07aa26d5,
 * to jest against this service's local host. Each test keeps its name and assertions; only the recorder and
 * credential plumbing is replaced (support.ts: the service from test/helpers/service-under-test.ts over
 * HTTPS, its credential and SDK options), and pollers poll every 50 ms instead of 10 s.
 * The OpenSSL files (upstream's ca.crt and ca.key "available locally", test.csr, test.crt) live in a
 * temporary folder of this run instead of the working directory.
 *
 * Copyright (c) Microsoft Corporation. Licensed under the MIT License:
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
 * documentation files (the "Software"), to deal in the Software without restriction, including without
 * limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the
 * Software, and to permit persons to whom the Software is furnished to do so, subject to the following
 * conditions: The above copyright notice and this permission notice shall be included in all copies or
 * substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
 * OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE
 * AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
 * OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
 * WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import childProcess from 'node:child_process';
import type { CertificateClient } from '@azure/keyvault-certificates';
import type { SecretClient } from '@azure/keyvault-secrets';
import {
  type TestClient,
  authenticateAgainstLocalHost,
  base64ToUint8Array,
  portedSpec,
  stringToUint8Array,
  testPollerProperties,
} from './support';

const { it } = portedSpec('mergeAndImport.spec.ts');
const authenticate = authenticateAgainstLocalHost();

describe('Certificates client - merge and import certificates', () => {
  const prefix = `merge${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
  let suffix: string;
  let client: CertificateClient;
  let testClient: TestClient;
  let secretClient: SecretClient;
  let workDir: string;

  beforeEach(() => {
    const authentication = authenticate();
    suffix = authentication.suffix;
    client = authentication.client;
    testClient = authentication.testClient;
    secretClient = authentication.secretClient;
  });

  beforeAll(() => {
    // Upstream's "Certificate available locally made using: openssl genrsa -out ca.key 2048;
    // openssl req -new -x509 -key ca.key -out ca.crt", made here in a folder of this run.
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-public-merge-'));
    childProcess.execSync('openssl genrsa -out ca.key 2048', { cwd: workDir, stdio: 'ignore' });
    childProcess.execSync('openssl req -new -x509 -key ca.key -out ca.crt -subj "/CN=SDK test CA"', { cwd: workDir, stdio: 'ignore' });
  });
  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  // The tests follow

  it("can import a certificate from a certificate's non base64 secret value", async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateNames = [`${certificateName}0`, `${certificateName}1`] as const;
    const createPoller = await client.beginCreateCertificate(
      certificateNames[0],
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
      },
      testPollerProperties,
    );
    await createPoller.pollUntilDone();
    const certificateSecret = await secretClient.getSecret(certificateNames[0]);
    const base64EncodedCertificate = certificateSecret.value!;

    const buffer = base64ToUint8Array(base64EncodedCertificate);

    await client.importCertificate(certificateNames[1], buffer);
  });

  it("can import a certificate from a certificate's base64 secret value", async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateNames = [`${certificateName}0`, `${certificateName}1`] as const;
    const createPoller = await client.beginCreateCertificate(
      certificateNames[0],
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
      },
      testPollerProperties,
    );
    await createPoller.pollUntilDone();
    const certificateSecret = await secretClient.getSecret(certificateNames[0]);
    const base64EncodedCertificate = certificateSecret.value!;

    const buffer = stringToUint8Array(base64EncodedCertificate);

    await client.importCertificate(certificateNames[1], buffer, {
      policy: {
        contentType: 'application/x-pem-file',
      },
    });
  });

  // Upstream skips this in playback (the signed certificate is never the same) and in the browser (it uses
  // child_process to run openssl); here it runs live, like upstream's live runs.
  it('can merge a self signed certificate', async function (ctx): Promise<void> {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    await client.beginCreateCertificate(
      certificateName,
      {
        issuerName: 'Unknown',
        certificateTransparency: false,
        subject: 'cn=MyCert',
      },
      testPollerProperties,
    );

    const certificateOperationPoller = await client.getCertificateOperation(certificateName);
    const { csr } = certificateOperationPoller.getOperationState().certificateOperation!;
    const base64Csr = Buffer.from(csr!).toString('base64');
    const wrappedCsr = `-----BEGIN CERTIFICATE REQUEST-----
${base64Csr}
-----END CERTIFICATE REQUEST-----`;
    fs.writeFileSync(path.join(workDir, 'test.csr'), wrappedCsr);

    childProcess.execSync('openssl x509 -req -in test.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out test.crt', { cwd: workDir, stdio: 'ignore' });
    const base64Crt = fs.readFileSync(path.join(workDir, 'test.crt')).toString().split('\n').slice(1, -1).join('');

    await client.mergeCertificate(certificateName, [Buffer.from(base64Crt)]);
  });
});
