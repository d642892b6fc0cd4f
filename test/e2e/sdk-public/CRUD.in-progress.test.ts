/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/CRUD.spec.ts at commit
 * 0053d37d62867732e53c448b3b805fb46cb76976, from vitest to jest against this service's local host. Each test
 * keeps its name and assertions; only the recorder and credential plumbing is replaced (support.ts: the
 * service from test/helpers/service-under-test.ts over HTTPS, its credential and SDK options), pollers poll
 * every 50 ms instead of 10 s, and the OpenSSL files go to a temporary folder instead of the working directory.
 * This file holds the two tests of that spec that need the operation still `inProgress` after
 * beginCreateCertificate returns ("can abort creating a certificate" and "can read, cancel and delete a
 * certificate's operation"): the service runs with ISSUANCE_MIN_SECONDS (SELF_ISSUANCE_SETTINGS) so that Self
 * issuance takes seconds, as on Key Vault. The spec's other tests are in CRUD.test.ts. Vitest's `{ retry: 5 }` is
 * dropped: nothing here is eventually consistent. assertThrowsAbortError checks the AbortError's message by
 * prefix, as the installed HTTP runtime words it differently (support.ts says how).
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
import type { CertificateClient, CertificateOperation } from '@azure/keyvault-certificates';
import { type TestClient, type ThrownRestError, assertThrowsAbortError, SELF_ISSUANCE_SETTINGS, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('CRUD.spec.ts');
const authenticate = authenticateAgainstLocalHost(SELF_ISSUANCE_SETTINGS);

describe('Certificates client - create, read, update and delete', () => {
  const prefix = `CRUD${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
  let suffix: string;
  let client: CertificateClient;
  let testClient: TestClient;

  const basicCertificatePolicy = {
    issuerName: 'Self',
    subject: 'cn=MyCert',
  };

  beforeEach(() => {
    const authentication = authenticate();
    suffix = authentication.suffix;
    client = authentication.client;
    testClient = authentication.testClient;
  });

  it('can abort creating a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const controller = new AbortController();

    await assertThrowsAbortError(async () => {
      const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, {
        ...testPollerProperties,
        abortSignal: controller.signal,
      });
      controller.abort();
      await poller.pollUntilDone();
    });
  });

  it("can read, cancel and delete a certificate's operation", async function () {
    // recorder.variable(...) only pins the random name for playback.
    const certificateName = `crudcertoperation-${Math.floor(Math.random() * 10000)}`;
    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    let certificateOperation: CertificateOperation;

    // Read
    const operationPoller = await client.getCertificateOperation(certificateName);
    certificateOperation = operationPoller.getOperationState().certificateOperation!;
    expect(certificateOperation.status).toEqual('inProgress');
    expect(certificateOperation.cancellationRequested).toEqual(false);

    // Cancel
    await operationPoller.cancelOperation();
    certificateOperation = operationPoller.getOperationState().certificateOperation!;
    expect(certificateOperation.cancellationRequested).toEqual(true);

    // Delete
    await client.deleteCertificateOperation(certificateName);

    let error;
    try {
      await client.getCertificateOperation(certificateName);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e as ThrownRestError;
    }
    expect(error.message).toEqual(`Pending certificate not found: ${certificateName}`);
  });
});
