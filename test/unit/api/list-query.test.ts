import { continuationToken, parseIncludePending, parseListQuery } from '../../../shared/api/list-query';
import { LISTING_KEY_PATTERN } from '../../../shared/domain/certificate-listing';

const query = (q: string) => new URLSearchParams(q);

describe('list query (maxresults, $skiptoken)', () => {
  it('defaults to pages of 25 from the start', () => {
    expect(parseListQuery(query('api-version=7.5'))).toEqual({ maxResults: 25 });
  });

  it('takes maxresults from 1 to 25 and a continuation token it issued', () => {
    const token = continuationToken('issuer-07');
    expect(parseListQuery(query(`maxresults=7&$skiptoken=${token}`))).toEqual({ maxResults: 7, after: 'issuer-07' });
    expect(parseListQuery(query('maxresults=1'))).toEqual({ maxResults: 1 });
    // The percent-encoded spelling of the key is the same parameter.
    expect(parseListQuery(query(`maxresults=25&%24skiptoken=${token}`))).toEqual({ maxResults: 25, after: 'issuer-07' });
  });

  it.each(['0', '26', '-1', '2.5', 'ten', '', '1e1'])('refuses maxresults=%s with 400 BadParameter', (value) => {
    expect(() => parseListQuery(query(`maxresults=${value}`))).toThrow(
      expect.objectContaining({ status: 400, code: 'BadParameter', message: `maxresults must be an integer from 1 to 25; it was '${value}'.` }),
    );
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['another version', Buffer.from('{"v":2,"after":"a"}').toString('base64url')],
    ['a key no name lower-cases to', Buffer.from(`{"v":1,"after":"A'B"}`).toString('base64url')],
    ['extra members', Buffer.from('{"v":1,"after":"a","x":1}').toString('base64url')],
    ['too long', 'A'.repeat(600)],
  ])('refuses a $skiptoken that is %s with 400 BadParameter', (_what, token) => {
    expect(() => parseListQuery(query(`$skiptoken=${encodeURIComponent(token)}`))).toThrow(
      expect.objectContaining({ status: 400, code: 'BadParameter', message: 'The $skiptoken is not a continuation token of this list.' }),
    );
  });
});

describe('the certificate lists: keys of the list index in tokens, and includePending', () => {
  it('continues after a listing key, and refuses a bare name there (and a listing key where names go)', () => {
    const token = continuationToken('p:web-site');
    expect(parseListQuery(query(`$skiptoken=${token}`), LISTING_KEY_PATTERN)).toEqual({ maxResults: 25, after: 'p:web-site' });
    for (const [after, pattern] of [['web-site', LISTING_KEY_PATTERN], ['x:web-site', LISTING_KEY_PATTERN], ['c:web-site', undefined]] as const) {
      expect(() => parseListQuery(query(`$skiptoken=${continuationToken(after)}`), pattern)).toThrow(
        expect.objectContaining({ status: 400, code: 'BadParameter', message: 'The $skiptoken is not a continuation token of this list.' }),
      );
    }
  });

  it('reads includePending as true or false in any casing, false when absent', () => {
    expect(parseIncludePending(query(''))).toBe(false);
    expect(parseIncludePending(query('includePending=true'))).toBe(true);
    expect(parseIncludePending(query('includePending=True'))).toBe(true);
    expect(parseIncludePending(query('includePending=false'))).toBe(false);
  });

  it.each(['yes', '1', 'truthy'])('refuses includePending=%s with 400 BadParameter', (value) => {
    expect(() => parseIncludePending(query(`includePending=${value}`))).toThrow(
      expect.objectContaining({ status: 400, code: 'BadParameter', message: `includePending must be true or false; it was '${value}'.` }),
    );
  });
});
