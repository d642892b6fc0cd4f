/*
 * Ported from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/CRUD.spec.ts at commit
 * 0053d37d62867732e53c448b3b805fb46cb76976, from vitest to jest against this service's local host. Each test
 * keeps its name and assertions; only the recorder and credential plumbing is replaced (support.ts: the
 * service from test/helpers/service-under-test.ts over HTTPS, its credential and SDK options), pollers poll
 * every 50 ms instead of 10 s, and the OpenSSL files go to a temporary folder instead of the working directory.
 * The two tests that need an operation still `inProgress` after beginCreateCertificate returns ("can abort
 * creating a certificate" and "can read, cancel and delete a certificate's operation") are in
 * CRUD.in-progress.test.ts, against a service whose Self issuance takes seconds as on Key Vault; here Self
 * issues as fast as it can, so the other tests do not wait. Vitest's `{ retry: 5 }` is
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
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import childProcess from 'node:child_process';
import type { CertificateClient, CertificateIssuer } from '@azure/keyvault-certificates';
import type { SecretClient } from '@azure/keyvault-secrets';
import { type TestClient, type ThrownRestError, authenticateAgainstLocalHost, portedSpec, testPollerProperties } from './support';
import { expectToSupportTracing } from './supports-tracing';

const { it } = portedSpec('CRUD.spec.ts');
const authenticate = authenticateAgainstLocalHost();

describe('Certificates client - create, read, update and delete', () => {
  const prefix = `CRUD${process.env.CERTIFICATE_NAME || 'CertificateName'}`;
  let suffix: string;
  let client: CertificateClient;
  let testClient: TestClient;
  let secretClient: SecretClient;
  let workDir: string;

  const basicCertificatePolicy = {
    issuerName: 'Self',
    subject: 'cn=MyCert',
  };

  beforeEach(() => {
    const authentication = authenticate();
    suffix = authentication.suffix;
    client = authentication.client;
    testClient = authentication.testClient;
    secretClient = authentication.secretClient;
  });

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-public-crud-'));
  });
  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  // The tests follow

  it('can create a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    const pendingCertificate = poller.getResult(); // Pending certificate
    expect(pendingCertificate!.properties.name).toEqual(certificateName);
  });

  it('cannot create a certificate with an empty name', async function () {
    const certificateName = '';
    await expect(client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties)).rejects.toThrow();
  });

  it('can update the tags of a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    await client.updateCertificateProperties(certificateName, '', {
      tags: {
        customTag: 'value',
      },
    });

    const updated = await client.getCertificate(certificateName);
    expect(updated!.properties.tags!.customTag).toEqual('value');
  });

  it('can disable a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    let result = await poller.pollUntilDone();
    expect(result.properties.enabled).toEqual(true);

    result = await client.updateCertificateProperties(certificateName, '', {
      enabled: false,
    });
    expect(result.properties.enabled).toEqual(false);

    result = await client.getCertificate(certificateName);
    expect(result.properties.enabled).toEqual(false);
  });

  it('can disable a certificate version', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    let result = await poller.pollUntilDone();

    const version = result.properties.version!;
    expect(result.properties.enabled).toEqual(true);

    result = await client.updateCertificateProperties(certificateName, version, {
      enabled: false,
    });
    expect(result.properties.enabled).toEqual(false);

    result = await client.getCertificateVersion(certificateName, version);
    expect(result.properties.enabled).toEqual(false);
  });

  it('can get a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    const result = await client.getCertificate(certificateName);
    expect(result.properties.name).toEqual(certificateName);
  });

  // Upstream skips this in the browser (it uses the file system) and in playback (the recorded value is sanitized).
  it("can get a certificate's secret in PKCS 12 format", async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const createPoller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    await createPoller.pollUntilDone();
    const keyVaultCertificate = await client.getCertificate(certificateName);
    const base64CER = Buffer.from(keyVaultCertificate.cer!).toString('base64');

    const certificateSecret = await secretClient.getSecret(certificateName);
    const base64PKCS12 = certificateSecret.value!;
    fs.writeFileSync(path.join(workDir, 'pkcs12.p12'), Buffer.from(base64PKCS12, 'base64'));

    // Obtaining only the public certificate.
    // We send "-passin 'pass:'" because our self-signed certificate doesn't specify a password on its issuer.
    childProcess.execSync('openssl pkcs12 -in pkcs12.p12 -out pkcs12.crt.pem -clcerts -nokeys -passin pass:', { cwd: workDir });

    const PEMPublicCertificate = fs.readFileSync(path.join(workDir, 'pkcs12.crt.pem'));

    // The PEM encoded public certificate should be the same as the Base64 encoded CER
    expect(base64CER).toEqual(
      PEMPublicCertificate.toString()
        .split(/-----(BEGIN|END) CERTIFICATE-----/g)[2]!
        .split(os.EOL)
        .join('')
        .replace(/\n/g, ''),
    );
  });

  // Upstream skips this in the browser (it uses the file system).
  it("can get a certificate's secret in PEM format", async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const createPoller = await client.beginCreateCertificate(
      certificateName,
      {
        issuerName: 'Self',
        subject: 'cn=MyCert',
        contentType: 'application/x-pem-file',
      },
      testPollerProperties,
    );

    await createPoller.pollUntilDone();
    const keyVaultCertificate = await client.getCertificate(certificateName);
    const base64CER = Buffer.from(keyVaultCertificate.cer!).toString('base64');

    const certificateSecret = await secretClient.getSecret(certificateName);
    const base64PublicCertificate = certificateSecret
      .value!.split('\n')
      .slice(0, -2) // Removing -----END CERTIFICATE-----
      .join('')
      .split('-----BEGIN CERTIFICATE-----') // Removing the PEM header
      .slice(-1)
      .join('');

    // The PEM encoded public certificate should be the same as the Base64 encoded CER
    expect(base64CER).toEqual(base64PublicCertificate);
  });

  it('can retrieve the latest version of a certificate value', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    const result = await client.getCertificate(certificateName);

    expect(result.properties.name).toEqual(certificateName);
  });

  it('can get a certificate (Non Existing)', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    let error;
    try {
      await client.getCertificate(certificateName);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'CertificateNotFound', statusCode: 404 });
  });

  it('can delete a certificate', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    const poller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
    const result = poller.getResult()!;

    expect(typeof result.recoveryId).toEqual('string');
    expect(result.deletedOn).toBeInstanceOf(Date);
    expect(result.scheduledPurgeDate).toBeInstanceOf(Date);

    try {
      await client.getCertificate(certificateName);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      const error = e as ThrownRestError;
      if (error.statusCode === 404) {
        expect(error.code).toEqual('CertificateNotFound');
      } else {
        throw e;
      }
    }

    await poller.pollUntilDone();
  });

  it('can delete a certificate (Non Existing)', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    let error;
    try {
      await client.beginDeleteCertificate(certificateName, testPollerProperties);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'CertificateNotFound', statusCode: 404 });
  });

  describe('can get a deleted certificate', () => {
    it("using beginDeleteCertificate's poller", async function (ctx) {
      const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
      const certificatePoller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
      await certificatePoller.pollUntilDone();

      const deletePoller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
      const deletedCertificate = await deletePoller.pollUntilDone();
      expect(deletedCertificate.name).toEqual(certificateName);
    });

    it('using getDeletedCertificate', async function (ctx) {
      const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
      const certificatePoller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
      await certificatePoller.pollUntilDone();

      const deletePoller = await client.beginDeleteCertificate(certificateName, testPollerProperties);
      await deletePoller.pollUntilDone();

      const deletedCertificate = await client.getDeletedCertificate(certificateName);
      expect(deletedCertificate.name).toEqual(certificateName);
    });

    it('can not get a certificate that never existed', async function (ctx) {
      const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
      let error;
      try {
        await client.beginDeleteCertificate(certificateName, testPollerProperties);
        throw Error('Expecting an error but not catching one.');
      } catch (e: unknown) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'CertificateNotFound', statusCode: 404 });
    });
  });

  it('can create, read, and delete a certificate issuer', async function (ctx) {
    const issuerName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    // Create
    const createResponse = await client.createIssuer(issuerName, 'Test', {
      accountId: 'keyvaultuser',
      administratorContacts: [
        {
          firstName: 'John',
          lastName: 'Doe',
          email: 'admin@microsoft.com',
          phone: '4255555555',
        },
      ],
    });
    expect(createResponse.administratorContacts![0]!.email).toEqual('admin@microsoft.com');
    expect(createResponse.accountId).toEqual('keyvaultuser');

    // Creating a certificate with that issuer
    await client.beginCreateCertificate(
      certificateName,
      {
        issuerName,
        subject: 'cn=MyCert',
      },
      testPollerProperties,
    );

    // Reading the issuer from the certificate
    const certificate = await client.getCertificate(certificateName);
    expect(certificate.policy!.issuerName).toEqual(issuerName);

    let getResponse: CertificateIssuer;

    // Read
    getResponse = await client.getIssuer(issuerName);
    expect(getResponse.provider).toEqual('Test');

    // Update
    await client.updateIssuer(issuerName, {
      administratorContacts: [
        {
          firstName: 'John',
          lastName: 'Doe',
          email: 'admin@microsoft.com',
          phone: '4255555555',
        },
      ],
      accountId: 'keyvaultuser2',
    });
    getResponse = await client.getIssuer(issuerName);
    expect(getResponse.administratorContacts![0]!.email).toEqual('admin@microsoft.com');
    expect(getResponse.accountId).toEqual('keyvaultuser2');

    // Delete
    await client.deleteIssuer(issuerName);
    let error;
    try {
      await client.getIssuer(issuerName);
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e as ThrownRestError;
    }
    expect(error.message).toEqual('Issuer not found');
  });

  it("can update a certificate's policy", async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);

    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    const result = await client.getCertificate(certificateName);
    expect(result.policy!.issuerName).toEqual('Self');
    expect(result.policy!.subject).toEqual('cn=MyCert');

    await client.updateCertificatePolicy(certificateName, {
      issuerName: 'Self',
      subject: 'cn=MyOtherCert',
    });
    const updated = await client.getCertificate(certificateName);
    expect(updated.policy!.issuerName).toEqual('Self');
  });

  it("can set, read and delete a certificate's contacts", async function () {
    const contacts = [
      {
        email: 'a@a.com',
        name: 'a',
        phone: '111111111111',
      },
      {
        email: 'b@b.com',
        name: 'b',
        phone: '222222222222',
      },
    ];

    await client.setContacts(contacts);

    const getResponse = await client.getContacts();
    expect(getResponse!.length).toEqual(2);
    expect(getResponse![0]!.name).toEqual('a');
    expect(getResponse![1]!.name).toEqual('b');

    await client.deleteContacts();

    let error;
    try {
      await client.getContacts();
      throw Error('Expecting an error but not catching one.');
    } catch (e: unknown) {
      error = e as ThrownRestError;
    }
    expect(error.code).toEqual('ContactsNotFound');
  });

  it('supports tracing', async function (ctx) {
    const certificateName = testClient.formatName(`${prefix}-${ctx.task.name}-${suffix}`);
    await expectToSupportTracing(
      async (tracingOptions) => {
        const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, {
          ...testPollerProperties,
          ...tracingOptions,
        });
        await poller.pollUntilDone();
        await client.getCertificate(certificateName, { ...tracingOptions });
      },
      [
        'CreateCertificatePoller.createCertificate',
        'CreateCertificatePoller.getPlainCertificateOperation',
        'CreateCertificatePoller.getCertificate',
        'CertificateClient.getCertificate',
      ],
    );
  });
});
