/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/recoverBackupRestore.spec.ts
 * in its current vitest form (the stored copy read names no commit; its mocha form is at
89fd35485f3c2dc79307982535c2b6aced35b411),
 * to jest against this service's local host. Each test keeps its name and assertions; only the recorder and
 * credential plumbing is replaced (support.ts: the service from test/helpers/service-under-test.ts over
 * HTTPS, its credential and SDK options), and pollers poll every 50 ms instead of 10 s.
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
import type { CertificateClient } from '@azure/keyvault-certificates';
import { type TestClient, type ThrownRestError, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('recoverBackupRestore.spec.ts');
const authenticate = authenticateAgainstLocalHost();

describe('Certificates client - restore certificates and recover backups', () => {
  const prefix = `backupRestore${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
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

  // The tests follow

  it('can recover a deleted certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    await createPoller.pollUntilDone();
    const deletePoller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    const getDeletedResult = await deletePoller.pollUntilDone();
    expect(getDeletedResult.properties.name).toEqual(certificateName);
    const recoverPoller = await client.beginRecoverDeletedCertificate(certificateName, testPollerProperties);
    const getResult = await recoverPoller.pollUntilDone();
    expect(getResult.properties.name).toEqual(certificateName);
  });

  it('can recover a deleted certificate (non existing)', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    let error;
    try {
      await client.beginRecoverDeletedCertificate(certificateName, testPollerProperties);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e as ThrownRestError;
    }
    expect(error.code).toEqual('CertificateNotFound');
    expect(error.statusCode).toEqual(404);
  });

  // Upstream runs this in record and playback modes only, "since the purge operation currently can't be
  // expected to finish anytime soon" on Key Vault; its restore poller retries until the restore is accepted.
  it('can restore a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    await createPoller.pollUntilDone();
    const backup = await client.backupCertificate(certificateName);
    const deletePoller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    await deletePoller.pollUntilDone();
    await client.purgeDeletedCertificate(certificateName);

    // One would normally do this, but this can't immediately happen after the resource is purged:
    // await client.restoreCertificateBackup(backup as Uint8Array);

    // This test implementation of a restore poller only applies for backups that have been recently deleted.
    // Backups might not be ready to be restored in an unknown amount of time.
    const restorePoller = await testClient.beginRestoreCertificateBackup(backup as Uint8Array, testPollerProperties);
    const restoredCertificate = await restorePoller.pollUntilDone();

    expect(restoredCertificate.name).toEqual(certificateName);
  });

  it('can restore a certificate (Malformed Backup Bytes)', async function () {
    const backup = new Uint8Array(4728);
    let error;
    try {
      await client.restoreCertificateBackup(backup);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e as ThrownRestError;
    }
    expect(error.message).toEqual('Backup blob contains invalid or corrupt version.');
  });
});
