import { policyToWire } from '../../../shared/api/wire/policy.wire';
import { CA_TAGS, caConstraintsOfPolicy, isCaPolicy } from '../../../shared/domain/ca-policy';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { ValidationError } from '../../../shared/domain/validation-error';

const NOW = 1_700_000_000;
const CA = { keyUsage: ['keyCertSign', 'cRLSign'] } as const;
const LEAF = { keyUsage: ['digitalSignature', 'keyEncipherment'] } as const;

describe('a policy makes a CA through keyCertSign', () => {
  it('is a CA policy exactly when its key usage has keyCertSign', () => {
    expect(isCaPolicy({ keyUsage: ['keyCertSign'] })).toBe(true);
    expect(isCaPolicy({ keyUsage: ['cRLSign', 'digitalSignature'] })).toBe(false);
  });

  it('shows basic_constraints.ca on the wire accordingly', () => {
    const wire = (keyUsage: string[]): unknown =>
      (policyToWire('https://vault.example', 'c', resolvePolicy({ x509_props: { subject: 'CN=x', key_usage: keyUsage } }, NOW)) as {
        x509_props: { basic_constraints: unknown };
      }).x509_props.basic_constraints;
    expect(wire(['keyCertSign', 'cRLSign'])).toEqual({ ca: true });
    expect(wire(['digitalSignature'])).toEqual({ ca: false });
  });
});

describe('caConstraintsOfPolicy reads path length and DNS name constraints from the tags', () => {
  it('gives an unconstrained CA without tags, and nothing for a leaf whatever its tags', () => {
    expect(caConstraintsOfPolicy(CA)).toEqual({ permittedDnsDomains: [], excludedDnsDomains: [] });
    expect(caConstraintsOfPolicy(LEAF, { [CA_TAGS.pathLength]: 'not even a number' })).toBeUndefined();
  });

  it('reads the path length and the comma-separated subtrees, trimmed, lower-cased and without repeats', () => {
    const tags = {
      'ca-path-length': ' 0 ',
      'ca-permitted-dns': 'Corp.Example.com, .svc.example.net,corp.example.com',
      'ca-excluded-dns': 'secret.corp.example.com',
      team: 'platform',
    };
    expect(caConstraintsOfPolicy(CA, tags)).toEqual({
      pathLength: 0,
      permittedDnsDomains: ['corp.example.com', '.svc.example.net'],
      excludedDnsDomains: ['secret.corp.example.com'],
    });
  });

  it.each([
    [{ 'ca-path-length': '-1' }, /'ca-path-length' must be a whole number from 0 to 16, not '-1'/],
    [{ 'ca-path-length': '1.5' }, /whole number/],
    [{ 'ca-path-length': '17' }, /whole number/],
    [{ 'ca-permitted-dns': ' , ' }, /'ca-permitted-dns' must list at least one DNS name/],
    [{ 'ca-excluded-dns': 'corp.example.com, *.example.com' }, /'ca-excluded-dns': '\*\.example\.com' is not a DNS name/],
    [{ 'ca-permitted-dns': 'http://corp.example.com' }, /is not a DNS name/],
  ])('refuses %j with a message naming the tag', (tags, message) => {
    expect(() => caConstraintsOfPolicy(CA, tags)).toThrow(ValidationError);
    expect(() => caConstraintsOfPolicy(CA, tags)).toThrow(message);
  });
});
