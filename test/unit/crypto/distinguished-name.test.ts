import { CertificateProfileError } from '../../../shared/crypto/certificate-profile';
import {
  assertDistinguishedName,
  normalizeDistinguishedName,
  parseSubject,
} from '../../../shared/crypto/distinguished-name';

/** The Name as (type OID, value) pairs per RDN, in encoding order. */
function rdns(subject: string): string[][] {
  return parseSubject(subject)
    .toJSON()
    .map((rdn) => Object.entries(rdn).flatMap(([type, values]) => values.map((v) => `${type}=${v}`)));
}

describe('parseSubject', () => {
  it('reads the usual Key Vault spellings, keeping the written order', () => {
    expect(rdns('CN=web.contoso.com, O=Contoso, C=US')).toEqual([['CN=web.contoso.com'], ['O=Contoso'], ['C=US']]);
    expect(rdns('cn=web.contoso.com,o=Contoso')).toEqual([['CN=web.contoso.com'], ['O=Contoso']]);
    expect(rdns('  CN = spaced ; OU=semicolon separated ')).toEqual([['CN=spaced'], ['OU=semicolon separated']]);
  });

  it('understands aliases, OIDs, quoting, escapes and multi-valued RDNs', () => {
    expect(rdns('E=a@b.com, S=WA, emailAddress=c@d.com')).toEqual([['E=a@b.com'], ['ST=WA'], ['E=c@d.com']]);
    expect(rdns('OID.2.5.4.3=by oid, 2.5.4.10=Org')).toEqual([['CN=by oid'], ['O=Org']]);
    expect(rdns('O="Contoso, Inc.", CN=x')).toEqual([['O=Contoso, Inc.'], ['CN=x']]);
    expect(rdns('O=Contoso\\, Inc., CN=a\\+b')).toEqual([['O=Contoso, Inc.'], ['CN=a+b']]);
    expect(rdns('CN=caf\\C3\\A9')).toEqual([['CN=café']]);
    expect(rdns('CN=a+OU=b, O=c')).toEqual([['CN=a', 'OU=b'], ['O=c']]);
    expect(rdns('CN=\\ padded\\ ')).toEqual([['CN= padded ']]);
    expect(rdns('CN=\\#not-hex')).toEqual([['CN=#not-hex']]);
  });

  it('encodes non-ASCII values as UTF8String and the rest as PrintableString', () => {
    const der = Buffer.from(parseSubject('CN=Zoë, O=Plain').toArrayBuffer());
    expect(der.includes(Buffer.from([0x0c, 0x04, 0x5a, 0x6f, 0xc3, 0xab]))).toBe(true); // UTF8String "Zoë"
    expect(der.includes(Buffer.from([0x13, 0x05, ...Buffer.from('Plain')]))).toBe(true); // PrintableString
  });

  it('treats an empty or blank subject as the empty name', () => {
    expect(rdns('')).toEqual([]);
    expect(rdns('   ')).toEqual([]);
  });

  it.each([
    ['CN', 'expected "=" after "CN"'],
    ['CN=a,', 'ends with a separator'],
    ['FOO=bar', 'unknown attribute "FOO"'],
    ['CN=', 'empty value'],
    ['=x', 'no name'],
    ['C=USA', 'two-letter country code'],
    ['CN="open', 'not closed'],
    ['CN=a\\', 'lone "\\"'],
    ['CN=#0403616263', 'hex-encoded'],
    ['E=zoë@example.com', 'plain ASCII'],
  ])('rejects %j (%s)', (subject, reason) => {
    expect(() => assertDistinguishedName(subject)).toThrow(CertificateProfileError);
    expect(() => assertDistinguishedName(subject)).toThrow(reason);
  });
});

describe('normalizeDistinguishedName', () => {
  it.each([
    ['cn=a ,o=b', 'CN=a, O=b'],
    ['O="Contoso, Inc."', 'O=Contoso\\, Inc.'],
    ['cn=x+ou=y', 'CN=x+OU=y'],
    ['', ''],
  ])('%j reads back as %j', (input, expected) => {
    expect(normalizeDistinguishedName(input)).toBe(expected);
  });

  it('is stable: normalizing the normal form changes nothing', () => {
    for (const subject of ['CN=a\\+b, O="Contoso, Inc.", 2.5.4.5=1234', 'CN=\\#x\\ ', 'E=x@y.z, DC=corp, DC=example']) {
      const once = normalizeDistinguishedName(subject);
      expect(normalizeDistinguishedName(once)).toBe(once);
    }
  });
});
