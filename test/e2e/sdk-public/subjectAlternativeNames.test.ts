/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/subjectAlternativeNames.spec.ts
 * at commit 256c6f1ee801ff4076004ace31ed7e99925111ad,
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
import { type TestClient, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';

const { it } = portedSpec('subjectAlternativeNames.spec.ts');
const authenticate = authenticateAgainstLocalHost();

describe('Certificates client - SubjectAlternativeNames IP addresses and URIs', () => {
  const prefix = `SAN${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
  let suffix: string;
  let client: CertificateClient;
  let testClient: TestClient;

  beforeEach(() => {
    const authentication = authenticate();
    suffix = authentication.suffix;
    client = authentication.client;
    testClient = authentication.testClient;
  });

  it('can create a certificate with ipAddresses in SAN', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const poller = await client.beginCreateCertificate(
      certificateName,
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
        subjectAlternativeNames: {
          ipAddresses: ['10.0.0.1'],
        },
      },
      testPollerProperties,
    );

    const certificate = await poller.pollUntilDone();
    expect(certificate.name).toEqual(certificateName);

    const retrieved = await client.getCertificate(certificateName);
    expect(retrieved.policy!.subjectAlternativeNames!.ipAddresses).toEqual(['10.0.0.1']);
  });

  it('can create a certificate with uniformResourceIdentifiers in SAN', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const poller = await client.beginCreateCertificate(
      certificateName,
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
        subjectAlternativeNames: {
          uniformResourceIdentifiers: ['https://example.com'],
        },
      },
      testPollerProperties,
    );

    const certificate = await poller.pollUntilDone();
    expect(certificate.name).toEqual(certificateName);

    const retrieved = await client.getCertificate(certificateName);
    expect(retrieved.policy!.subjectAlternativeNames!.uniformResourceIdentifiers).toEqual(['https://example.com']);
  });

  it('can create a certificate with all SAN fields', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const poller = await client.beginCreateCertificate(
      certificateName,
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
        subjectAlternativeNames: {
          emails: ['test@example.com'],
          dnsNames: ['example.com'],
          ipAddresses: ['10.0.0.1', '192.168.1.1'],
          uniformResourceIdentifiers: ['https://example.com', 'https://contoso.com'],
        },
      },
      testPollerProperties,
    );

    const certificate = await poller.pollUntilDone();
    expect(certificate.name).toEqual(certificateName);

    const retrieved = await client.getCertificate(certificateName);
    const san = retrieved.policy!.subjectAlternativeNames!;
    expect(san.emails).toEqual(['test@example.com']);
    expect(san.dnsNames).toEqual(['example.com']);
    expect(san.ipAddresses).toEqual(['10.0.0.1', '192.168.1.1']);
    expect(san.uniformResourceIdentifiers).toEqual(['https://example.com', 'https://contoso.com']);
  });

  it('can create a certificate with IPv6 in ipAddresses SAN', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const poller = await client.beginCreateCertificate(
      certificateName,
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
        subjectAlternativeNames: {
          ipAddresses: ['::1'],
        },
      },
      testPollerProperties,
    );

    const certificate = await poller.pollUntilDone();
    expect(certificate.name).toEqual(certificateName);

    const retrieved = await client.getCertificate(certificateName);
    expect(retrieved.policy!.subjectAlternativeNames!.ipAddresses).toEqual(['::1']);
  });
});
