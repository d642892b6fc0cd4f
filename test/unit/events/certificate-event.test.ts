import { CERTIFICATE_EVENT_TYPES, certificateEvent, certificateEventId, vaultNameOf } from '../../../shared/events/certificate-event';

/**
 * Key Vault's documented example ("Azure Key Vault as Event Grid source", Event Grid event schema), for the
 * certificate event instead of the secret one it shows. The page's sample has typing slips ("ObjectName "
 * with a trailing space, " ee05..." with a leading one, NBF/EXP as strings) that its own property table
 * contradicts (NBF and EXP are numbers) and that Key Vault's live events do not have; this is the sample as
 * the table defines it.
 */
const KEY_VAULT_EXAMPLE = {
  id: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
  topic: '/subscriptions/{subscription-id}/resourceGroups/sample-rg/providers/Microsoft.KeyVault/vaults/sample-kv',
  subject: 'newsecret',
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
  eventTime: '2019-07-25T01:08:33.1036736Z',
  data: {
    Id: 'https://sample-kv.vault.azure.net/secrets/newsecret/ee059b2bb5bc48398a53b168c6cdcb10',
    VaultName: 'sample-kv',
    ObjectType: 'Secret',
    ObjectName: 'newsecret',
    Version: 'ee059b2bb5bc48398a53b168c6cdcb10',
    NBF: 1559081980,
    EXP: 1559082102,
  },
  dataVersion: '1',
  metadataVersion: '1',
};

const version = { name: 'newcert', version: 'ee059b2bb5bc48398a53b168c6cdcb10', notBefore: 1559081980, expires: 1559082102 };
const at = new Date('2019-07-25T01:08:33.103Z');

describe('certificate events in Key Vault Event Grid schema', () => {
  it('has exactly the fields of Key Vault documented example, with the same types, data spelled as Key Vault spells it', () => {
    const event = certificateEvent({ kind: 'newVersionCreated', vaultUrl: 'https://sample-kv.vault.azure.net', version, at });
    const shape = (value: unknown): unknown =>
      value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)])) : typeof value;
    expect(shape(event)).toEqual(shape(KEY_VAULT_EXAMPLE));
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      topic: 'https://sample-kv.vault.azure.net',
      subject: 'newcert',
      eventType: 'Microsoft.KeyVault.CertificateNewVersionCreated',
      eventTime: '2019-07-25T01:08:33.103Z',
      data: {
        Id: 'https://sample-kv.vault.azure.net/certificates/newcert/ee059b2bb5bc48398a53b168c6cdcb10',
        VaultName: 'sample-kv',
        ObjectType: 'Certificate',
        ObjectName: 'newcert',
        Version: 'ee059b2bb5bc48398a53b168c6cdcb10',
        NBF: 1559081980,
        EXP: 1559082102,
      },
      dataVersion: '1',
      metadataVersion: '1',
    });
  });

  it('names Key Vault three certificate event types, and ours in the same style', () => {
    const types = (['newVersionCreated', 'nearExpiry', 'expired', 'renewalFailed'] as const).map(
      (kind) => certificateEvent({ kind, vaultUrl: 'https://v.example', version, at }).eventType,
    );
    expect(types).toEqual([
      'Microsoft.KeyVault.CertificateNewVersionCreated',
      'Microsoft.KeyVault.CertificateNearExpiry',
      'Microsoft.KeyVault.CertificateExpired',
      'Microsoft.KeyVault.CertificateRenewalFailed',
    ]);
  });

  it('carries the reason of a failed renewal in Key Vault error shape, and nothing extra on the others', () => {
    const error = { code: 'IssuerUnavailable', message: 'The issuer could not be reached.' };
    const failed = certificateEvent({ kind: 'renewalFailed', vaultUrl: 'https://v.example', version, at, error });
    expect(failed.data.Error).toEqual(error);
    expect(Object.keys(certificateEvent({ kind: 'expired', vaultUrl: 'https://v.example', version, at }).data)).not.toContain('Error');
  });

  it('gives the same occurrence the same id whenever it is told, and different occurrences different ids', () => {
    const first = certificateEvent({ kind: 'newVersionCreated', vaultUrl: 'https://v.example', version, at });
    const again = certificateEvent({ kind: 'newVersionCreated', vaultUrl: 'https://v.example', version: { ...version, name: 'NewCert' }, at: new Date() });
    expect(again.id).toBe(first.id);
    const ids = new Set([
      first.id,
      certificateEvent({ kind: 'nearExpiry', vaultUrl: 'https://v.example', version, at }).id,
      certificateEvent({ kind: 'nearExpiry', vaultUrl: 'https://v.example', version, at, occurrence: '1700000000' }).id,
      certificateEvent({ kind: 'newVersionCreated', vaultUrl: 'https://other.example', version, at }).id,
      certificateEvent({ kind: 'newVersionCreated', vaultUrl: 'https://v.example', version: { ...version, version: 'a'.repeat(32) }, at }).id,
    ]);
    expect(ids.size).toBe(5);
    expect(certificateEventId(CERTIFICATE_EVENT_TYPES.expired, 'https://v.example', version)).toBe(
      certificateEvent({ kind: 'expired', vaultUrl: 'https://v.example', version, at }).id,
    );
  });

  it('takes the vault name from the host as Key Vault does, and the whole host where it has no name label', () => {
    expect(vaultNameOf('https://sample-kv.vault.azure.net')).toBe('sample-kv');
    expect(vaultNameOf('https://certs.contoso.com')).toBe('certs');
    expect(vaultNameOf('https://localhost')).toBe('localhost');
    expect(vaultNameOf('http://127.0.0.1:8080')).toBe('127.0.0.1');
  });
});
