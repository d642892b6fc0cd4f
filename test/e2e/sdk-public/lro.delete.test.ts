/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/lro.delete.spec.ts
 * at commit 058d714ceb7b237891dcdbb69d6eef48528c864b,
 * to jest against this service's local host. Each test keeps its name and assertions; only the recorder and
 * credential plumbing is replaced (support.ts: the service from test/helpers/service-under-test.ts over
 * HTTPS, its credential and SDK options), and pollers poll every 50 ms instead of 10 s.
 * Vitest's `{ retry: 5 }` is dropped: nothing here is eventually consistent.
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
import { type CertificateClient, type DeletedCertificate, DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { SLOW_DELETION_SETTINGS, type TestClient, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('lro.delete.spec.ts');
const authenticate = authenticateAgainstLocalHost(SLOW_DELETION_SETTINGS);

describe('Certificates client - lro - delete', () => {
  const certificatePrefix = `lroDelete${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
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

  it('can wait until a certificate is deleted', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    await createPoller.pollUntilDone();
    const poller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    expect(poller.getOperationState().isStarted).toBeTruthy();

    // The pending deleted certificate can be obtained this way:
    expect(poller.getOperationState().result!.name).toEqual(certificateName);

    let deletedCertificate: DeletedCertificate = await poller.pollUntilDone();
    expect(deletedCertificate.name).toEqual(certificateName);
    expect(poller.getOperationState().isCompleted).toBeTruthy();

    // Retrieving it without the poller
    deletedCertificate = await client.getDeletedCertificate(certificateName);
    expect(deletedCertificate.name).toEqual(certificateName);

    // The final deleted certificate can also be obtained this way:
    expect(poller.getOperationState().result!.name).toEqual(certificateName);
  });

  it('can resume from a stopped poller', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    await createPoller.pollUntilDone();
    const poller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    expect(poller.getOperationState().isStarted).toBeTruthy();

    poller.pollUntilDone().catch((e) => {
      expect(e.name).toEqual('PollerStoppedError');
      expect(e.message).toEqual('This poller is already stopped');
    });

    poller.stopPolling();
    expect(poller.isStopped()).toBeTruthy();
    expect(poller.getOperationState().isCompleted).toBeFalsy();

    const serialized = poller.toString();

    const resumePoller = await client.beginDeleteCertificate(certificateName, {
      resumeFrom: serialized,
      ...testPollerProperties,
    });

    expect(resumePoller.getOperationState().isStarted).toBeTruthy();

    let deletedCertificate: DeletedCertificate = await resumePoller.pollUntilDone();
    expect(deletedCertificate.name).toEqual(certificateName);

    // Retrieving it without the poller
    deletedCertificate = await client.getDeletedCertificate(certificateName);
    expect(deletedCertificate.name).toEqual(certificateName);
  });
});
