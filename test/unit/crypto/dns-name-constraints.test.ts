import { emptySans } from '../../../shared/crypto/certificate-profile';
import { constrainedDnsNames, dnsConstraintViolation, dnsNameInSubtree } from '../../../shared/crypto/dns-name-constraints';

describe('dnsNameInSubtree, as OpenSSL matches DNS name constraints', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['API.Example.COM', 'example.com', true],
    ['a.b.example.com', 'example.com', true],
    ['*.example.com', 'example.com', true],
    ['notexample.com', 'example.com', false],
    ['example.com.evil.org', 'example.com', false],
    ['com', 'example.com', false],
    ['a.example.com', '.example.com', true],
    ['example.com', '.example.com', false],
    ['*.example.com', 'secret.example.com', false],
    ['anything.at.all', '', true],
  ])('%s in %s: %s', (name, base, inside) => {
    expect(dnsNameInSubtree(name, base)).toBe(inside);
  });
});

describe('constrainedDnsNames', () => {
  it('checks the DNS SANs when there are some, else a host-name-like CN', () => {
    expect(constrainedDnsNames({ subject: 'CN=www.a.com', sans: { ...emptySans(), dnsNames: ['b.com'] } })).toEqual(['b.com']);
    expect(constrainedDnsNames({ subject: 'CN=www.a.com, O=A', sans: emptySans() })).toEqual(['www.a.com']);
    expect(constrainedDnsNames({ subject: 'CN=Payments Service', sans: emptySans() })).toEqual([]);
  });
});

describe('dnsConstraintViolation', () => {
  const constraints = { permittedDnsDomains: ['a.com', 'b.com'], excludedDnsDomains: ['x.a.com'] };
  it('passes names inside a permitted subtree and outside every excluded one', () => {
    expect(dnsConstraintViolation(['www.a.com', 'b.com'], constraints)).toBeUndefined();
    expect(dnsConstraintViolation(['anything.org'], { permittedDnsDomains: [], excludedDnsDomains: [] })).toBeUndefined();
  });
  it('names the first offending name and why', () => {
    expect(dnsConstraintViolation(['www.a.com', 'c.com'], constraints)).toBe("the DNS name 'c.com' is outside the permitted subtrees (a.com, b.com)");
    expect(dnsConstraintViolation(['y.x.a.com'], constraints)).toBe("the DNS name 'y.x.a.com' is in the excluded subtree 'x.a.com'");
  });
});
