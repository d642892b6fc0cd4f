/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/lro.recover.spec.ts
 * at commit 011df67eb0749d1947e6f845e78ef7dc07aa26d5,
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
import { PollerStoppedError } from '@azure/core-lro';
import { type CertificateClient, type DeletedCertificate, DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { type TestClient, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('lro.recover.spec.ts');
const authenticate = authenticateAgainstLocalHost();

describe('Certificates client - LRO - recoverDelete', () => {
  const certificatePrefix = `lroRecover${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
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

  it('can wait until a certificate is recovered', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    await createPoller.pollUntilDone();

    const deletePoller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    await deletePoller.pollUntilDone();

    const recoverPoller = await client.beginRecoverDeletedCertificate(certificateName, testPollerProperties);
    expect(recoverPoller.getOperationState().isStarted).toBeTruthy();

    // The pending certificate can be obtained this way:
    expect(recoverPoller.getOperationState().result!.name).toEqual(certificateName);

    const deletedCertificate: DeletedCertificate = await recoverPoller.pollUntilDone();
    expect(deletedCertificate.name).toEqual(certificateName);
    expect(recoverPoller.getOperationState().isCompleted).toBeTruthy();

    // The final certificate can also be obtained this way:
    expect(recoverPoller.getOperationState().result!.name).toEqual(certificateName);

    await testClient.flushCertificate(certificateName);
  });

  it('can resume from a stopped poller', async function (ctx) {
    const certificateName = testClient.formatName(`${certificatePrefix}-${ctx.task.name}-${certificateSuffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, DefaultCertificatePolicy, testPollerProperties);
    await createPoller.pollUntilDone();
    const deletePoller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    await deletePoller.pollUntilDone();

    const recoverPoller = await client.beginRecoverDeletedCertificate(certificateName, testPollerProperties);
    expect(recoverPoller.getOperationState().isStarted).toBeTruthy();

    recoverPoller.pollUntilDone().catch((e) => {
      expect(e).toBeInstanceOf(PollerStoppedError);
      expect(e.name).toEqual('PollerStoppedError');
      expect(e.message).toEqual('This poller is already stopped');
    });

    await recoverPoller.poll(); // Making sure it has some data

    recoverPoller.stopPolling();
    // Upstream writes these two as bare `expect(...)`, which assert nothing; they are kept as written.
    expect(recoverPoller.isStopped());
    expect(!recoverPoller.getOperationState().isCompleted);

    const serialized = recoverPoller.toString();

    const resumePoller = await client.beginRecoverDeletedCertificate(certificateName, {
      resumeFrom: serialized,
      ...testPollerProperties,
    });

    expect(recoverPoller.getOperationState().isStarted).toBeTruthy();
    const deletedCertificate: DeletedCertificate = await resumePoller.pollUntilDone();
    expect(deletedCertificate.name).toEqual(certificateName);
    expect(resumePoller.getOperationState().isCompleted).toBeTruthy();

    await testClient.flushCertificate(certificateName);
  });
});
