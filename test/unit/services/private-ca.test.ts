import type { CreateCertificateBody } from '../../../shared/api/schemas/request-bodies.schema';
import { createCertificate } from '../../../shared/services/create-certificate';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { updateCertificateProperties } from '../../../shared/services/certificate-properties';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { setIssuer, updateIssuer } from '../../../shared/services/issuer-objects';
import { getPendingOperation } from '../../../shared/services/pending-operations';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';
import { OpenSsl, derToPem } from '../crypto/helpers';

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const START = new Date('2026-01-01T00:00:00Z');
const CA_KEY_USAGE = ['keyCertSign', 'cRLSign'];

function setup() {
  const clock = manualClock(START);
  const { ctx, takeJobs } = memoryServiceContext({ clock });
  /** Creates a certificate and runs its job as the queue would; answers the finished operation. */
  async function create(name: string, issuer: string, x509: NonNullable<CreateCertificateBody['policy']>['x509_props'], extra: Partial<CreateCertificateBody> = {}) {
    await createCertificate(ctx, name, { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: x509, issuer: { name: issuer } }, ...extra });
    for (const job of await takeJobs()) await runIssuerJob(ctx, job);
    return getPendingOperation(ctx, name);
  }
  const chainOf = async (name: string) => {
    const head = await ctx.certificates.getHead(name);
    const version = head && (await ctx.certificates.getVersion(name, head.latestVersion));
    if (!version) throw new Error(`${name} has no issued version`);
    return version.chain.map((c) => Buffer.from(c, 'base64'));
  };
  const root = () => create('corp-root', 'Self', { subject: 'CN=Corp Root CA, O=Corp', key_usage: CA_KEY_USAGE, validity_months: 12 });
  return { ctx, clock, create, chainOf, root };
}

/** `openssl verify` of a chain (leaf first) against a root, at the test clock's time. */
function verify(rootDer: Buffer, chain: Buffer[], at: Date): string {
  const [leaf, ...rest] = chain;
  const file = (ders: Buffer[]) => openssl.file(ders.map((d) => derToPem('CERTIFICATE', d)).join(''));
  const untrusted = rest.filter((c) => !c.equals(rootDer));
  return openssl
    .run(['verify', '-attime', String(Math.floor(at.getTime() / 1000) + 60), '-CAfile', file([rootDer]), ...(untrusted.length ? ['-untrusted', file(untrusted)] : []), file([leaf as Buffer])])
    .trim();
}

describe('issuer PrivateCA', () => {
  it('issues a leaf signed by the root CA it names; the chain is leaf then root and openssl verifies it', async () => {
    const t = setup();
    expect((await t.root()).status).toBe('completed');
    await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });

    const op = await t.create('svc', 'corp-ca', { subject: 'CN=svc.corp.example', sans: { dns_names: ['svc.corp.example'] } });
    expect(op.status).toBe('completed');
    const [rootDer] = await t.chainOf('corp-root');
    const chain = await t.chainOf('svc');
    expect(chain).toHaveLength(2);
    expect(chain[1]).toEqual(rootDer);
    expect(verify(rootDer as Buffer, chain, START)).toMatch(/: OK$/);
    expect(openssl.certText(chain[0] as Buffer)).toMatch(/Issuer: CN\s?=\s?Corp Root CA, O\s?=\s?Corp/);
  });

  it('issues through an intermediate that the root issued through PrivateCA, honouring its ca-* tags', async () => {
    const t = setup();
    await t.root();
    await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
    const intermediate = await t.create(
      'corp-issuing',
      'corp-ca',
      { subject: 'CN=Corp Issuing CA, O=Corp', key_usage: CA_KEY_USAGE },
      { tags: { 'ca-path-length': '0', 'ca-permitted-dns': 'corp.example' } },
    );
    expect(intermediate.status).toBe('completed');
    const text = openssl.certText((await t.chainOf('corp-issuing'))[0] as Buffer);
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Permitted:\s+DNS:corp\.example/);

    await setIssuer(t.ctx, 'issuing-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-issuing' } });
    expect((await t.create('svc', 'issuing-ca', { subject: 'CN=svc.corp.example', sans: { dns_names: ['svc.corp.example'] } })).status).toBe('completed');
    const [rootDer] = await t.chainOf('corp-root');
    const chain = await t.chainOf('svc');
    expect(chain).toHaveLength(3);
    expect(verify(rootDer as Buffer, chain, START)).toMatch(/: OK$/);

    // The intermediate's name constraints are the CA's own rule: a name outside them is the request's fault.
    const outside = await t.create('other', 'issuing-ca', { subject: 'CN=www.other.example', sans: { dns_names: ['www.other.example'] } });
    expect(outside.status).toBe('failed');
    expect(outside.error).toEqual({ code: 'RequestRejected', message: expect.stringContaining("'www.other.example'") });
  });

  it('signs with the pinned version when account_id names one, even after the CA has a newer version', async () => {
    const t = setup();
    await t.root();
    const first = (await t.ctx.certificates.getHead('corp-root'))?.latestVersion;
    await setIssuer(t.ctx, 'pinned', { provider: 'PrivateCA', credentials: { account_id: `corp-root/${first}` } });
    await t.root();
    const [newRoot] = await t.chainOf('corp-root');
    expect((await t.create('svc', 'pinned', { subject: 'CN=svc.corp.example' })).status).toBe('completed');
    expect((await t.chainOf('svc'))[1]).not.toEqual(newRoot);
  });

  describe('fails clearly, with the CA certificate and the issuer named, when the CA cannot sign', () => {
    const failureOf = async (t: ReturnType<typeof setup>) => {
      const op = await t.create('svc', 'corp-ca', { subject: 'CN=svc.corp.example' });
      expect(op.status).toBe('failed');
      return op.error;
    };

    it('is missing', async () => {
      const t = setup();
      await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
      expect(await failureOf(t)).toEqual({
        code: 'CertificateIssuerError',
        message: "The CA certificate 'corp-root' of issuer 'corp-ca' does not exist in this vault.",
      });
    });

    it('is soft-deleted', async () => {
      const t = setup();
      await t.root();
      await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
      await deleteCertificate(t.ctx, 'corp-root');
      expect(await failureOf(t)).toEqual({ code: 'CertificateIssuerError', message: expect.stringContaining("'corp-root' of issuer 'corp-ca' does not exist") });
    });

    it('is disabled', async () => {
      const t = setup();
      await t.root();
      await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
      await updateCertificateProperties(t.ctx, 'corp-root', undefined, { enabled: false });
      expect(await failureOf(t)).toEqual({ code: 'CertificateIssuerError', message: "The CA certificate 'corp-root' of issuer 'corp-ca' is disabled." });
    });

    it('has expired', async () => {
      const t = setup();
      await t.root();
      await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
      t.clock.advance(400 * 86_400);
      expect(await failureOf(t)).toEqual({ code: 'CertificateIssuerError', message: expect.stringMatching(/^The CA certificate 'corp-root' of issuer 'corp-ca' expired on 2027-/) });
    });

    it('is not a CA', async () => {
      const t = setup();
      await t.create('corp-root', 'Self', { subject: 'CN=www.corp.example' });
      await setIssuer(t.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
      expect(await failureOf(t)).toEqual({
        code: 'CertificateIssuerError',
        message: expect.stringMatching(/^The CA certificate 'corp-root' of issuer 'corp-ca' cannot sign: .*is not a CA/),
      });
    });
  });

  describe('ca-* tags at create', () => {
    it('make a Self root constrained as they say', async () => {
      const t = setup();
      const op = await t.create('corp-root', 'Self', { subject: 'CN=Corp Root CA', key_usage: CA_KEY_USAGE }, { tags: { 'ca-path-length': '1', 'ca-excluded-dns': 'bad.example' } });
      expect(op.status).toBe('completed');
      const text = openssl.certText((await t.chainOf('corp-root'))[0] as Buffer);
      expect(text).toMatch(/CA:TRUE, pathlen:1/);
      expect(text).toMatch(/Excluded:\s+DNS:bad\.example/);
    });

    it('are refused at create when malformed, naming the tag', async () => {
      const { ctx } = setup();
      await expect(
        createCertificate(ctx, 'corp-root', { policy: { x509_props: { subject: 'CN=Root', key_usage: CA_KEY_USAGE }, issuer: { name: 'Self' } }, tags: { 'ca-path-length': 'two' } }),
      ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining("Tag 'ca-path-length'") });
    });
  });

  describe('issuer objects', () => {
    it('refuses a PrivateCA issuer without account_id, with a malformed one, or with a password, saying why', async () => {
      const { ctx } = setup();
      await expect(setIssuer(ctx, 'corp-ca', { provider: 'PrivateCA' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('needs credentials.account_id') });
      await expect(setIssuer(ctx, 'corp-ca', { provider: 'privateca', credentials: { account_id: 'corp root' } })).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining("'corp root' is not a certificate name"),
      });
      await expect(setIssuer(ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root', pwd: 'x' } })).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining('takes no credentials.pwd'),
      });
      await setIssuer(ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root/0123abcd' } });
      await expect(updateIssuer(ctx, 'corp-ca', { credentials: { pwd: 'x' } })).rejects.toMatchObject({ status: 400 });
      await expect(updateIssuer(ctx, 'corp-ca', { credentials: { account_id: 'a/b/c' } })).rejects.toMatchObject({ status: 400 });
    });

    it('names PrivateCA among the known providers when refusing an unknown one', async () => {
      const { ctx } = setup();
      await expect(setIssuer(ctx, 'x', { provider: 'Nope' })).rejects.toMatchObject({ message: expect.stringMatching(/Known providers: .*PrivateCA/) });
    });
  });
});
