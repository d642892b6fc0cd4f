import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SETTINGS, parseConfig } from '../../../../shared/config';
import { sealPrivateKey } from '../../../../shared/crypto/key-encryption';
import type { IssuerObject } from '../../../../shared/domain/issuer';
import { acmeNamesOf } from '../../../../shared/issuers/acme/acme-identifiers';
import { AcmeIssuerMisconfigured, acmeIssuerProblem, acmeIssuerSettings } from '../../../../shared/issuers/acme/acme-issuer-settings';

const DIRECTORY = 'https://acme.example/directory';
const kek = randomBytes(32);
const noSans = { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: [] };

function issuer(fields: Partial<IssuerObject>): IssuerObject {
  return { name: 'le', provider: 'ACME', adminContacts: [], enabled: true, created: 0, updated: 0, ...fields };
}

describe('the names an ACME order asks for', () => {
  it('are the CN first, then the DNS SANs, lower-cased, each once', () => {
    expect(acmeNamesOf({ subject: 'CN=WWW.Example.com, O=Contoso', sans: { ...noSans, dnsNames: ['www.example.com', 'api.example.com', '*.example.com'] } })).toEqual({
      ok: true,
      names: ['www.example.com', 'api.example.com', '*.example.com'],
    });
  });

  it('refuse any SAN that is not a DNS name, a subject without a name, and what is not a DNS name', () => {
    expect(acmeNamesOf({ subject: 'CN=a.example.com', sans: { ...noSans, ipAddresses: ['10.0.0.1'] } })).toEqual({ ok: false, reason: expect.stringContaining('DNS names only; the policy also asks for 10.0.0.1') });
    expect(acmeNamesOf({ subject: 'O=Contoso', sans: noSans })).toEqual({ ok: false, reason: expect.stringContaining('no subject CN and no DNS SAN') });
    expect(acmeNamesOf({ subject: 'CN=my server', sans: noSans })).toEqual({ ok: false, reason: expect.stringContaining("'my server' is not a DNS name") });
  });
});

describe('an ACME issuer object', () => {
  it('needs an https directory URL in account_id', () => {
    expect(acmeIssuerProblem(issuer({}))).toMatch(/needs its directory URL in credentials.account_id/);
    expect(acmeIssuerProblem(issuer({ accountId: 'acct-1' }))).toMatch(/'acct-1' is not a URL/);
    expect(acmeIssuerProblem(issuer({ accountId: 'http://acme.example/directory' }))).toMatch(/must use https/);
    expect(acmeIssuerProblem(issuer({ accountId: DIRECTORY }))).toBeUndefined();
  });

  it('binds an external account with both the key id and the HMAC key, or neither', () => {
    expect(acmeIssuerProblem(issuer({ accountId: DIRECTORY, organizationId: 'kid-1' }))).toMatch(/give both or neither/);
    expect(acmeIssuerProblem(issuer({ accountId: DIRECTORY, sealedPassword: 'v1.x.y.z' }))).toMatch(/give both or neither/);
  });

  it('opens the HMAC key sealed as the issuer password, and refuses one that is not base64url', () => {
    const seal = (text: string) => sealPrivateKey(kek, Buffer.from(text), 'issuer:le');
    const hmacKey = randomBytes(32).toString('base64url');
    expect(acmeIssuerSettings(issuer({ accountId: DIRECTORY, organizationId: 'kid-1', sealedPassword: seal(hmacKey) }), kek, 'issuer:le')).toEqual({
      directoryUrl: DIRECTORY,
      externalAccountBinding: { kid: 'kid-1', hmacKey },
    });
    expect(() => acmeIssuerSettings(issuer({ accountId: DIRECTORY, organizationId: 'kid-1', sealedPassword: seal('not base64url!') }), kek, 'issuer:le')).toThrow(AcmeIssuerMisconfigured);
  });
});

describe('ACME settings', () => {
  const base = {
    [SETTINGS.storageConnectionString]: 'UseDevelopmentStorage=true',
    [SETTINGS.keyEncryptionKey]: randomBytes(32).toString('base64'),
    [SETTINGS.authMode]: 'local',
  };
  const problems = (env: Record<string, string>) => {
    try {
      parseConfig({ ...base, ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('default to HTTP-01, no extra trust, and 10 s for DNS answers to settle', () => {
    expect(parseConfig(base).acme).toEqual({ dnsSettleSeconds: 10 });
  });

  it('read the CA bundle file, and refuse one that cannot be read or holds no certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acme-bundle-'));
    try {
      const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
      writeFileSync(join(dir, 'ok.pem'), pem);
      writeFileSync(join(dir, 'empty.pem'), 'nothing here');
      expect(parseConfig({ ...base, [SETTINGS.acmeCaBundle]: join(dir, 'ok.pem') }).acme.caBundlePem).toBe(pem);
      expect(problems({ [SETTINGS.acmeCaBundle]: join(dir, 'empty.pem') })).toEqual([expect.stringContaining('holds no PEM certificate')]);
      expect(problems({ [SETTINGS.acmeCaBundle]: join(dir, 'missing.pem') })).toEqual([expect.stringContaining('cannot be read')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('take an Azure DNS zone resource id, refuse anything else, and bound the settle time', () => {
    const zone = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnszones/example.com';
    expect(parseConfig({ ...base, [SETTINGS.acmeDnsZoneResourceId]: zone }).acme.dnsZoneResourceId).toBe(zone);
    expect(problems({ [SETTINGS.acmeDnsZoneResourceId]: 'example.com' })).toEqual([expect.stringContaining('is not an Azure DNS zone resource id')]);
    expect(problems({ [SETTINGS.acmeDnsSettleSeconds]: '0' })).toEqual([`${SETTINGS.acmeDnsSettleSeconds} must be at least 1`]);
    expect(parseConfig({ ...base, [SETTINGS.acmeDnsSettleSeconds]: '30' }).acme.dnsSettleSeconds).toBe(30);
  });
});
