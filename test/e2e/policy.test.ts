import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/** GET and PATCH /certificates/{name}/policy over the wire and through the JS SDK (contract §2.8). */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

const notFound = (name: string) => ({
  error: {
    code: 'CertificateNotFound',
    message: `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  },
});

async function createIssued(name: string): Promise<void> {
  const created = await kv.request('POST', `/certificates/${name}/create`, {
    policy: { key_props: { kty: 'EC', crv: 'P-384' }, x509_props: { subject: 'CN=before', sans: { dns_names: ['before.example'] } }, issuer: { name: 'Self' } },
  });
  expect(created.status).toBe(202);
  await eventually(`${name} issued`, async () => ((await kv.request('GET', `/certificates/${name}/pending`)).body.status === 'completed' ? true : undefined));
}

describe('raw HTTP', () => {
  it('answers 404 CertificateNotFound to GET and PATCH for a name with no certificate', async () => {
    for (const method of ['GET', 'PATCH']) {
      const r = await kv.request(method, '/certificates/no-policy-here/policy', method === 'PATCH' ? { x509_props: { subject: 'CN=x' } } : undefined);
      expect([method, r.status, r.body]).toEqual([method, 404, notFound('no-policy-here')]);
    }
  });

  it("answers the certificate's policy with its id, and merges what the SDK sends into it", async () => {
    await createIssued('Raw-Policy');
    const before = await kv.request('GET', '/certificates/raw-policy/policy');
    expect(before.status).toBe(200);
    expect(before.body.id).toBe(`${service.url}/certificates/Raw-Policy/policy`);
    expect(before.body).toEqual((await kv.request('GET', '/certificates/raw-policy/')).body.policy);

    // The JS SDK's body for updateCertificatePolicy(name, { subject, validityInMonths, issuerName }) (§2.8).
    const patched = await kv.request('PATCH', '/certificates/raw-policy/policy', {
      key_props: {},
      secret_props: {},
      x509_props: { subject: 'CN=after', sans: {}, validity_months: 6 },
      issuer: { name: 'Self' },
      attributes: {},
    });
    expect(patched.status).toBe(200);
    const expected = structuredClone(before.body) as { x509_props: Record<string, unknown>; attributes: Record<string, unknown> };
    expected.x509_props.subject = 'CN=after';
    expected.x509_props.validity_months = 6;
    expected.attributes.updated = expect.any(Number);
    expect(patched.body).toEqual(expected);
    expect((await kv.request('GET', '/certificates/raw-policy/policy')).body).toEqual(patched.body);
    expect((await kv.request('GET', '/certificates/raw-policy/')).body.policy).toEqual(patched.body);
  });

  it('refuses a policy a create would refuse with 400 BadParameter, and keeps the one it had', async () => {
    await createIssued('refused-policy');
    const before = (await kv.request('GET', '/certificates/refused-policy/policy')).body;
    const cases: [unknown, string | RegExp][] = [
      [
        {
          lifetime_actions: [
            { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } },
            { trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } },
          ],
        },
        'At most one action is allowed',
      ],
      [{ x509_props: { validity_months: 'six' } }, /^Property has invalid value: x509_props\.validity_months: /],
      [{ key_props: { kty: 'RSA', key_size: 1024 } }, /^Property key_props\.key_size has invalid value: 1024 is not supported for RSA/],
      ['{"x509_props":', 'The request body is not valid JSON.'],
    ];
    for (const [body, message] of cases) {
      const r = await kv.request('PATCH', '/certificates/refused-policy/policy', body);
      expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: expect.stringMatching(message) } }]);
    }
    expect((await kv.request('GET', '/certificates/refused-policy/policy')).body).toEqual(before);
  });

  it('is allowed while a create is pending, and the pending version shows the new policy', async () => {
    // Issuer Unknown: the operation stays inProgress until a merge, so "pending" needs no timing.
    const created = await kv.request('POST', '/certificates/pending-policy/create', { policy: { x509_props: { subject: 'CN=made' }, issuer: { name: 'Unknown' } } });
    expect(created.status).toBe(202);
    const patched = await kv.request('PATCH', '/certificates/pending-policy/policy', { x509_props: { subject: 'CN=updated', validity_months: 24 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ x509_props: { subject: 'CN=updated', validity_months: 24 }, issuer: { name: 'Unknown' } });
    expect((await kv.request('GET', '/certificates/pending-policy/policy')).body).toEqual(patched.body);
    const latest = await kv.request('GET', '/certificates/pending-policy/');
    expect(latest.body).toMatchObject({ attributes: { enabled: false }, policy: patched.body });
    // The operation itself goes on as it was requested: its CSR and issuer are the create's.
    expect((await kv.request('GET', '/certificates/pending-policy/pending')).body).toMatchObject({ status: 'inProgress', issuer: { name: 'Unknown' } });
  });
});

describe('the JS SDK', () => {
  const client = () =>
    new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);

  it('reads a policy with getCertificatePolicy and changes it with updateCertificatePolicy, keeping what it left out', async () => {
    const certificates = client();
    const poller = await certificates.beginCreateCertificate(
      'sdk-policy',
      { issuerName: 'Self', subject: 'CN=sdk-before', keyType: 'EC', keyCurveName: 'P-256', exportable: false, subjectAlternativeNames: { dnsNames: ['sdk.example'] } },
      { intervalInMs: 100 },
    );
    await poller.pollUntilDone();

    const before = await certificates.getCertificatePolicy('sdk-policy');
    expect(before).toMatchObject({ subject: 'CN=sdk-before', keyType: 'EC', keyCurveName: 'P-256', exportable: false, issuerName: 'Self', validityInMonths: 12 });

    const update: CertificatePolicy = { issuerName: 'Self', subject: 'CN=sdk-after', validityInMonths: 6 };
    // The SDK (4.10) hands its caller an empty policy whatever the service answers (contract §2.8, §7 item 9).
    expect(await certificates.updateCertificatePolicy('sdk-policy', update)).toEqual({});

    const after = await certificates.getCertificatePolicy('sdk-policy');
    expect(after).toEqual({ ...before, subject: 'CN=sdk-after', validityInMonths: 6 });
    expect(after.subjectAlternativeNames).toEqual({ dnsNames: ['sdk.example'] });
    expect((await certificates.getCertificate('sdk-policy')).policy?.subject).toBe('CN=sdk-after');
  });

  it('surfaces a missing certificate as a 404 RestError', async () => {
    await expect(client().getCertificatePolicy('sdk-no-such-cert')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
    await expect(client().updateCertificatePolicy('sdk-no-such-cert', { issuerName: 'Self', subject: 'CN=x' })).rejects.toMatchObject({
      statusCode: 404,
      code: 'CertificateNotFound',
    });
  });
});
