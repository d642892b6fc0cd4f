import { CertificateClient, type ListPropertiesOfIssuersOptions } from '@azure/keyvault-certificates';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * Issuer objects through the official JS SDK (@azure/keyvault-certificates) over HTTPS: create, update,
 * list page by page (following the service's nextLink) and delete. This file has a storage account of its
 * own, so the list holds exactly the issuers created here.
 */
let service: ServiceUnderTest;
let client: CertificateClient;

beforeAll(async () => {
  service = await startService();
  client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
});
afterAll(() => service?.stop());

const NAMES = Array.from({ length: 30 }, (_, i) => `sdk-issuer-${String(i).padStart(2, '0')}`);

/** Page sizes and every issuer listed, as the SDK yields them. */
async function walk(options: ListPropertiesOfIssuersOptions, settings?: { maxPageSize: number }) {
  const sizes: number[] = [];
  const listed: { id?: string; provider?: string }[] = [];
  for await (const page of client.listPropertiesOfIssuers(options).byPage(settings)) {
    sizes.push(page.length);
    listed.push(...page);
  }
  return { sizes, listed };
}

describe('issuers through the JS SDK', () => {
  it('lists nothing, without failing, before any issuer exists', async () => {
    expect(await walk({})).toEqual({ sizes: [0], listed: [] });
  });

  it('lists 30 issuers 7 to a page when asked for maxresults 7, each once, as raw {id, provider}', async () => {
    for (const name of NAMES) await client.createIssuer(name, 'Test', { accountId: 'acct', password: `pw-${name}` });
    // The SDK's public options do not declare maxresults, but the generated client sends it when given;
    // byPage's maxPageSize is not sent at all (see the next case).
    const { sizes, listed } = await walk({ maxresults: 7 } as ListPropertiesOfIssuersOptions);
    expect(sizes).toEqual([7, 7, 7, 7, 2]);
    expect(listed).toEqual(NAMES.map((name) => ({ id: `${service.httpsUrl}/certificates/issuers/${name}`, provider: 'Test' })));
  });

  it('pages by the service default of 25 when the SDK is given only byPage({maxPageSize}), which it does not send', async () => {
    const { sizes, listed } = await walk({}, { maxPageSize: 7 });
    expect(sizes).toEqual([25, 5]);
    expect(listed).toHaveLength(30);
  });

  it('updates an issuer: the given members change, the rest (password included) stay, and no password comes back', async () => {
    const updated = await client.updateIssuer('sdk-issuer-00', { provider: 'GlobalSign', organizationId: 'org-2' });
    expect(updated.provider).toBe('GlobalSign');
    expect(updated.accountId).toBe('acct');
    expect(updated.organizationId).toBe('org-2');
    expect(updated.password).toBeUndefined();
    const read = await client.getIssuer('sdk-issuer-00');
    expect([read.provider, read.accountId, read.organizationId, read.enabled]).toEqual(['GlobalSign', 'acct', 'org-2', true]);
  });

  it('fails to update an issuer that does not exist with 404 CertificateIssuerNotFound', async () => {
    await expect(client.updateIssuer('no-such-issuer', { provider: 'Test' })).rejects.toMatchObject({
      statusCode: 404,
      code: 'CertificateIssuerNotFound',
      message: 'Issuer not found',
    });
  });

  it('deletes an issuer, answering it as it was; then it is gone from reads and lists', async () => {
    const deleted = await client.deleteIssuer('sdk-issuer-01');
    expect([deleted.provider, deleted.accountId, deleted.password]).toEqual(['Test', 'acct', undefined]);
    await expect(client.getIssuer('sdk-issuer-01')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateIssuerNotFound' });
    await expect(client.deleteIssuer('sdk-issuer-01')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateIssuerNotFound' });
    const { listed } = await walk({});
    expect(listed.map((i) => i.id?.split('/').pop())).toEqual(NAMES.filter((n) => n !== 'sdk-issuer-01'));
  });
});
