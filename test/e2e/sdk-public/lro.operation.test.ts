/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/lro.operation.spec.ts
 * in its current vitest form (the stored copy read names no commit; its mocha form is at
 * 89fd35485f3c2dc79307982535c2b6aced35b411),
 * to jest against this service's local host. Each test keeps its name and assertions; only the recorder and
 * credential plumbing is replaced (support.ts: the service from test/helpers/service-under-test.ts over
 * HTTPS, its credential and SDK options), and pollers poll every 50 ms instead of 10 s.
 * The service runs with ISSUANCE_MIN_SECONDS (SELF_ISSUANCE_SETTINGS) so that Self issuance takes seconds, as
 * on Key Vault: the first test reads the operation `inProgress` from getCertificateOperation. Vitest's
 * `{ retry: 5 }` is dropped: nothing here is eventually consistent.
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
import {
  type CertificateClient,
  type CertificateOperation,
  DefaultCertificatePolicy,
  type KeyVaultCertificateWithPolicy,
} from '@azure/keyvault-certificates';
import { type TestClient, SELF_ISSUANCE_SETTINGS, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('lro.operation.spec.ts');
const authenticate = authenticateAgainstLocalHost(SELF_ISSUANCE_SETTINGS);

describe('Certificates client - LRO - certificate operation', () => {
  const certificatePrefix = `lroOperation${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
  let certificateSuffix: string;
  let client: CertificateClient;
  let testClient: TestClient;

  beforeEach(() => {
    const authentication = authenticate();
    certificateSuffix = authentication.suffix;
    client = authentication.client;
    testClient = authentication.testClient;
  });

  // The tests follow

  it('can wait until a certificate is created by getting the poller from getCertificateOperation', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    createPoller.stopPolling();
    const poller = await client.getCertificateOperation(certificateName, testPollerProperties);
    expect(poller.getOperationState().isStarted).toBeTruthy();

    // The pending certificate operation can be obtained this way:
    expect(poller.getOperationState().certificateOperation!.status).toEqual('inProgress');

    const completeCertificate: KeyVaultCertificateWithPolicy = await poller.pollUntilDone();
    expect(completeCertificate.name).toEqual(certificateName);

    const operation: CertificateOperation = poller.getOperationState().certificateOperation!;
    expect(operation.status).toEqual('completed');
    expect(poller.getOperationState().isCompleted).toBeTruthy();

    // The final certificate operation can also be obtained this way:
    expect(poller.getOperationState().certificateOperation!.status).toEqual('completed');
  });

  it('can resume from a stopped poller', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);

    createPoller.stopPolling();

    const poller = await client.getCertificateOperation(certificateName, testPollerProperties);
    expect(poller.getOperationState().isStarted).toBeTruthy();

    const serialized = poller.toString();

    const resumePoller = await client.getCertificateOperation(certificateName, {
      resumeFrom: serialized,
      ...testPollerProperties,
    });
    // Upstream writes this as a bare `expect(...)`, which asserts nothing; it is kept as written.
    expect(resumePoller.getOperationState().isStarted);

    const completeCertificate: KeyVaultCertificateWithPolicy = await resumePoller.pollUntilDone();
    expect(completeCertificate.name).toEqual(certificateName);

    const operation: CertificateOperation = resumePoller.getOperationState().certificateOperation!;
    expect(operation.status).toEqual('completed');
    expect(resumePoller.getOperationState().isCompleted).toBeTruthy();
  });
});
