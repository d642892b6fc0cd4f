/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/list.spec.ts
 * at commit 011df67eb0749d1947e6f845e78ef7dc07aa26d5,
 * to jest against this service's local host. Each test keeps its name and assertions; only the recorder and
 * credential plumbing is replaced (support.ts: the service from test/helpers/service-under-test.ts over
 * HTTPS, its credential and SDK options), and pollers poll every 50 ms instead of 10 s.
 * Chai's `expect(...).to.deep.equal` becomes jest's `toEqual`.
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
import { type TestClient, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('list.spec.ts');
const authenticate = authenticateAgainstLocalHost();

describe('Certificates client - list certificates in various ways', () => {
  const prefix = `list${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
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

  // Upstream runs this only in record mode, to clean the target vault before recording ("WARNING: all of the
  // certificates in the indicated KEYVAULT_NAME will be deleted"). Here the vault is this file's own, so it
  // runs, first, as a check that listing, deleting and purging everything works on an empty vault.
  it('can purge all certificates', async function (): Promise<void> {
    for await (const certificate of client.listPropertiesOfCertificates({
      includePending: true,
    })) {
      try {
        await testClient.flushCertificate(certificate.name!);
      } catch {
        // Nothing to do here
      }
    }
    for await (const certificate of client.listDeletedCertificates({ includePending: true })) {
      try {
        await testClient.purgeCertificate(certificate.name!);
      } catch {
        // Nothing to do here
      }
    }
  });

  it('can list certificates', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateNames = [`${certificateName}0`, `${certificateName}1`];
    for (const name of certificateNames) {
      const createPoller = await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties);
      await createPoller.pollUntilDone();
    }

    let found = 0;
    for await (const certificate of client.listPropertiesOfCertificates({ includePending: true })) {
      // The vault might contain more certificates than the ones we inserted.
      if (!certificateNames.includes(certificate.name!)) continue;
      found += 1;
    }

    expect(found).toEqual(2);
  });

  it('can list deleted certificates', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateNames = [`${certificateName}0`, `${certificateName}1`];
    for (const name of certificateNames) {
      const createPoller = await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties);
      await createPoller.pollUntilDone();
    }
    for (const name of certificateNames) {
      const deletePoller = await client.beginDeleteCertificate(name, testPollerProperties);
      await deletePoller.pollUntilDone();
    }

    let found = 0;
    for await (const certificate of client.listDeletedCertificates({ includePending: true })) {
      // The vault might contain more certificates than the ones we inserted.
      if (!certificateNames.includes(certificate.properties.name!)) continue;
      found += 1;
    }

    expect(found).toEqual(2);

    for (const name of certificateNames) {
      await testClient.purgeCertificate(name);
    }
  });

  it('can list certificates by page', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateNames = [`${certificateName}0`, `${certificateName}1`];
    for (const name of certificateNames) {
      const createPoller = await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties);
      await createPoller.pollUntilDone();
    }
    let found = 0;
    for await (const page of client.listPropertiesOfCertificates({ includePending: true }).byPage()) {
      for (const certificate of page) {
        // The vault might contain more certificates than the ones we inserted.
        if (!certificateNames.includes(certificate.name!)) continue;
        found += 1;
      }
    }
    expect(found).toEqual(2);
  });

  it('can list deleted certificates by page', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateNames = [`${certificateName}0`, `${certificateName}1`];
    for (const name of certificateNames) {
      const createPoller = await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties);
      await createPoller.pollUntilDone();
    }
    for (const name of certificateNames) {
      const deletePoller = await client.beginDeleteCertificate(name, testPollerProperties);
      await deletePoller.pollUntilDone();
    }

    let found = 0;
    for await (const page of client.listDeletedCertificates({ includePending: true }).byPage()) {
      for (const deleteCertificate of page) {
        // The vault might contain more certificates than the ones we inserted.
        if (!certificateNames.includes(deleteCertificate.properties.name!)) continue;
        found += 1;
      }
    }
    expect(found).toEqual(2);
    for (const name of certificateNames) {
      await testClient.purgeCertificate(name);
    }
  });

  it('can retrieve all versions of a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    const certificateTags = ['tag01', 'tag02', 'tag03'];

    interface VersionTagPair {
      // version: string;
      tag: string;
    }

    const versions: VersionTagPair[] = [];
    for (const tag of certificateTags) {
      // One can't re-create a certificate while it's pending,
      // so we're retrying until Azure allows us to do this.
      const createPoller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, {
        ...testPollerProperties,
        tags: { tag },
        enabled: true,
      });
      const response = await createPoller.pollUntilDone();
      // Versions don't match. Something must be happening under the hood.
      // versions.push({ version: response.version!, tag: response.properties.tags!.tag });
      versions.push({ tag: response.properties.tags!.tag! });
    }

    const results: VersionTagPair[] = [];
    for await (const item of client.listPropertiesOfCertificateVersions(certificateName, {})) {
      const version = item.version!;
      const certificate = await client.getCertificateVersion(certificateName, version);
      // Versions don't match. Something must be happening under the hood.
      // results.push({ version: item.properties.version!, tag: certificate.properties.tags!.tag! });
      results.push({ tag: certificate.properties.tags!.tag! });
    }

    const comp = (a: VersionTagPair, b: VersionTagPair): number => a.tag.localeCompare(b.tag);
    results.sort(comp);
    versions.sort(comp);

    expect(results).toEqual(versions);
  });

  it('can list certificate versions (non existing)', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    let totalVersions = 0;
    for await (const page of client.listPropertiesOfCertificateVersions(certificateName).byPage()) {
      for (const version of page) {
        expect(version.name).toEqual(certificateName);
        totalVersions += 1;
      }
    }
    expect(totalVersions).toEqual(0);
  });
});
