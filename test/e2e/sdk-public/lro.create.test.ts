/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/lro.create.spec.ts
 * at commit 011df67eb0749d1947e6f845e78ef7dc07aa26d5,
 * to jest against this service's local host. Each test keeps its name and assertions; only the recorder and
 * credential plumbing is replaced (support.ts: the service from test/helpers/service-under-test.ts over
 * HTTPS, its credential and SDK options), and pollers poll every 50 ms instead of 10 s.
 * The service runs with ISSUANCE_MIN_SECONDS (SELF_ISSUANCE_SETTINGS) so that Self issuance takes seconds, as
 * on Key Vault: "can resume from a stopped poller" needs the operation still in progress after
 * beginCreateCertificate returns. Vitest's `{ retry: 5 }` is dropped: nothing here is eventually consistent.
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
import { PollerStoppedError } from '@azure/core-lro';
import { type CertificateClient, type KeyVaultCertificate, DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { type TestClient, SELF_ISSUANCE_SETTINGS, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('lro.create.spec.ts');
const authenticate = authenticateAgainstLocalHost(SELF_ISSUANCE_SETTINGS);

describe('Certificates client - LRO - create', () => {
  const certificatePrefix = `lroCreate${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
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

  it('can wait until a certificate is created', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const poller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    expect(poller.getOperationState().isStarted).toBeTruthy();

    // The pending certificate can be obtained this way:
    expect(poller.getOperationState().result!.name).toEqual(certificateName);

    const createdCertificate: KeyVaultCertificate = await poller.pollUntilDone();
    expect(createdCertificate.name).toEqual(certificateName);
    expect(poller.getOperationState().isCompleted).toBeTruthy();

    // The final certificate can also be obtained this way:
    expect(poller.getOperationState().result!.name).toEqual(certificateName);
  });

  it('can resume from a stopped poller', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const poller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    expect(poller.getOperationState().isStarted).toBeTruthy();

    poller.pollUntilDone().catch((e) => {
      expect(e).toBeInstanceOf(PollerStoppedError);
      expect(e.name).toEqual('PollerStoppedError');
      expect(e.message).toEqual('This poller is already stopped');
    });

    poller.stopPolling();
    expect(poller.isStopped()).toBeTruthy();
    expect(poller.getOperationState().isCompleted).toBeFalsy();

    const serialized = poller.toString();

    const resumePoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, {
      resumeFrom: serialized,
      ...testPollerProperties,
    });

    expect(resumePoller.getOperationState().isStarted).toBeTruthy();
    const createdCertificate: KeyVaultCertificate = await resumePoller.pollUntilDone();
    expect(createdCertificate.name).toEqual(certificateName);
    expect(resumePoller.getOperationState().isCompleted).toBeTruthy();
  });
});
