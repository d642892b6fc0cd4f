import { keyOperationsOf } from '../../../shared/domain/key-operations';

describe('key_ops of a certificate key, from the policy key usage (Key Vault’s table)', () => {
  it.each([
    [['digitalSignature', 'keyEncipherment'], ['sign', 'verify', 'wrapKey', 'unwrapKey']],
    [['digitalSignature'], ['sign', 'verify']],
    [['nonRepudiation'], ['sign', 'verify']],
    [['keyCertSign', 'cRLSign'], ['sign', 'verify']],
    [['keyEncipherment'], ['wrapKey', 'unwrapKey']],
    [['dataEncipherment'], ['encrypt', 'decrypt']],
    [['encipherOnly'], ['encrypt']],
    [['decipherOnly'], ['decrypt']],
    [['keyAgreement'], []],
    [[], []],
    [
      ['decipherOnly', 'encipherOnly', 'dataEncipherment', 'keyEncipherment', 'digitalSignature', 'nonRepudiation'],
      ['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
    ],
  ] as const)('%j ⇒ %j', (usage, ops) => {
    expect(keyOperationsOf(usage)).toEqual(ops);
  });
});
