import {
  RouteTable,
  RouteTemplateError,
  compareRoutePrecedence,
  parseRouteTemplate,
  splitPath,
  type RouteDefinition,
  type RouteMatch,
} from '../../../functions/http/route-table';

/** The app's route shapes, registered in an order that would be wrong if it were used as is. */
const APP_ROUTES: RouteDefinition[] = [
  { functionName: 'certificateGet', template: 'certificates/{name}/{version?}', methods: ['GET'] },
  { functionName: 'certificateUpdate', template: 'certificates/{name}/{version?}', methods: ['PATCH'] },
  { functionName: 'certificateCreate', template: 'certificates/{name}/create', methods: ['POST'] },
  { functionName: 'pendingGet', template: 'certificates/{name}/pending', methods: ['GET'] },
  { functionName: 'pendingDelete', template: 'certificates/{name}/pending', methods: ['DELETE'] },
  { functionName: 'issuerGet', template: 'certificates/issuers/{issuer}', methods: ['GET'] },
  { functionName: 'issuerSet', template: 'certificates/issuers/{issuer}', methods: ['PUT'] },
  { functionName: 'secretGet', template: 'secrets/{name}/{version?}', methods: ['GET'] },
];

function matched(result: RouteMatch): { functionName: string; params: Readonly<Record<string, string>> } {
  if (result.kind !== 'matched') throw new Error(`expected a match, got ${result.kind}`);
  return { functionName: result.route.functionName, params: result.params };
}

describe('RouteTable', () => {
  const table = new RouteTable(APP_ROUTES);

  describe('precedence', () => {
    it('prefers a literal segment over a parameter', () => {
      expect(matched(table.match('GET', '/certificates/issuers/my-ca'))).toEqual({ functionName: 'issuerGet', params: { issuer: 'my-ca' } });
      expect(matched(table.match('GET', '/certificates/c1/pending'))).toEqual({ functionName: 'pendingGet', params: { name: 'c1' } });
      expect(matched(table.match('POST', '/certificates/c1/create'))).toEqual({ functionName: 'certificateCreate', params: { name: 'c1' } });
    });

    it('still reaches the parameter route for other values', () => {
      expect(matched(table.match('GET', '/certificates/c1/abc123'))).toEqual({
        functionName: 'certificateGet',
        params: { name: 'c1', version: 'abc123' },
      });
    });

    it('falls through to a less specific route that allows the method', () => {
      // "pending" routes allow GET and DELETE only; PATCH belongs to {version?}, as in the host's route order.
      expect(matched(table.match('PATCH', '/certificates/c1/pending'))).toEqual({
        functionName: 'certificateUpdate',
        params: { name: 'c1', version: 'pending' },
      });
    });

    it('orders templates like the host: literal first, more constraints first, longer first, then registration', () => {
      const sorted = (templates: string[]) =>
        new RouteTable(templates.map((template, i) => ({ functionName: `f${i}`, template }))).routes.map((route) => route.template);
      expect(sorted(['a/{x}', 'a/b'])).toEqual(['a/b', 'a/{x}']);
      expect(sorted(['a/{x}', 'a/{x:int}'])).toEqual(['a/{x:int}', 'a/{x}']);
      expect(sorted(['a/{x}', 'a/{x}/c'])).toEqual(['a/{x}/c', 'a/{x}']);
      expect(sorted(['{x}/one', '{y}/one'])).toEqual(['{x}/one', '{y}/one']);
      expect(compareRoutePrecedence(parseRouteTemplate('a/b'), parseRouteTemplate('a/b'))).toBe(0);
    });
  });

  describe('optional parameters and trailing slashes', () => {
    it('matches with the optional trailing parameter absent', () => {
      const result = matched(table.match('GET', '/certificates/c1'));
      expect(result).toEqual({ functionName: 'certificateGet', params: { name: 'c1' } });
      expect('version' in result.params).toBe(false);
    });

    it('allows one trailing slash', () => {
      expect(matched(table.match('GET', '/certificates/c1/'))).toEqual({ functionName: 'certificateGet', params: { name: 'c1' } });
      expect(matched(table.match('GET', '/certificates/c1/v2/'))).toEqual({
        functionName: 'certificateGet',
        params: { name: 'c1', version: 'v2' },
      });
    });

    it('does not bind empty segments or extra segments', () => {
      expect(table.match('GET', '/certificates//v1').kind).toBe('notFound');
      expect(table.match('GET', '/certificates/c1/v1/extra').kind).toBe('notFound');
      expect(table.match('GET', '/certificates').kind).toBe('notFound');
    });

    it('uses a default value and a catch-all', () => {
      const routes = new RouteTable([
        { functionName: 'withDefault', template: 'items/{page=first}' },
        { functionName: 'files', template: 'files/{*path}' },
      ]);
      expect(matched(routes.match('GET', '/items'))).toEqual({ functionName: 'withDefault', params: { page: 'first' } });
      expect(matched(routes.match('GET', '/files/a/b%20c/d'))).toEqual({ functionName: 'files', params: { path: 'a/b c/d' } });
      expect(matched(routes.match('GET', '/files'))).toEqual({ functionName: 'files', params: {} });
    });
  });

  describe('a catch-all at the root', () => {
    const withCatchAll = new RouteTable([{ functionName: 'catchAll', template: '{*path}' }, ...APP_ROUTES]);

    it('is tried after every route that begins with a literal, wherever it was registered', () => {
      expect(withCatchAll.routes.at(-1)?.functionName).toBe('catchAll');
      expect(matched(withCatchAll.match('GET', '/certificates/c1/pending')).functionName).toBe('pendingGet');
      expect(matched(withCatchAll.match('GET', '/secrets/s1')).functionName).toBe('secretGet');
    });

    it('takes unknown paths, the root included, with the rest of the path as its value', () => {
      expect(matched(withCatchAll.match('GET', '/keys/k1/sign'))).toEqual({ functionName: 'catchAll', params: { path: 'keys/k1/sign' } });
      expect(matched(withCatchAll.match('POST', '/'))).toEqual({ functionName: 'catchAll', params: {} });
      expect(matched(withCatchAll.match('GET', '/certificates//v1')).functionName).toBe('catchAll');
    });

    it('takes a known path under a method its routes refuse, as ASP.NET routing does, instead of a 405 from the host', () => {
      expect(matched(withCatchAll.match('DELETE', '/certificates/issuers/x')).functionName).toBe('catchAll');
      expect(matched(withCatchAll.match('POST', '/secrets/s1')).functionName).toBe('catchAll');
    });
  });

  describe('case and encoding', () => {
    it('matches literals case-insensitively and keeps parameter case', () => {
      expect(matched(table.match('get', '/CERTIFICATES/Issuers/MyCA'))).toEqual({ functionName: 'issuerGet', params: { issuer: 'MyCA' } });
      expect(matched(table.match('GET', '/Certificates/C1/PENDING'))).toEqual({ functionName: 'pendingGet', params: { name: 'C1' } });
    });

    it('percent-decodes parameter values after splitting the path', () => {
      expect(matched(table.match('GET', '/secrets/my%2Dsecret/v%201'))).toEqual({
        functionName: 'secretGet',
        params: { name: 'my-secret', version: 'v 1' },
      });
      expect(matched(table.match('GET', '/secrets/a%2Fb'))).toEqual({ functionName: 'secretGet', params: { name: 'a/b' } });
      expect(matched(table.match('GET', '/certificates/%69ssuers/x')).functionName).toBe('issuerGet');
    });

    it('keeps a malformed escape as typed', () => {
      expect(matched(table.match('GET', '/secrets/100%'))).toEqual({ functionName: 'secretGet', params: { name: '100%' } });
      expect(splitPath('/a/%E0%A4%A/')).toEqual(['a', '%E0%A4%A']);
    });
  });

  describe('405 and 404', () => {
    it('answers methodNotAllowed with the allowed methods when only the method is wrong', () => {
      expect(table.match('DELETE', '/certificates/issuers/x')).toEqual({
        kind: 'methodNotAllowed',
        allowedMethods: ['GET', 'PATCH', 'PUT'],
      });
      expect(table.match('POST', '/secrets/s1')).toEqual({ kind: 'methodNotAllowed', allowedMethods: ['GET'] });
    });

    it('answers notFound when no template matches the path', () => {
      expect(table.match('GET', '/keys/k1')).toEqual({ kind: 'notFound' });
      expect(table.match('GET', '/')).toEqual({ kind: 'notFound' });
    });

    it('treats a route without methods as allowing every method', () => {
      const routes = new RouteTable([{ functionName: 'any', template: 'ping' }]);
      expect(matched(routes.match('OPTIONS', '/ping')).functionName).toBe('any');
    });
  });

  describe('route prefix', () => {
    it('puts every route under the prefix', () => {
      const prefixed = new RouteTable([{ functionName: 'secretGet', template: 'secrets/{name}' }], 'api');
      expect(matched(prefixed.match('GET', '/api/secrets/s')).functionName).toBe('secretGet');
      expect(prefixed.match('GET', '/secrets/s').kind).toBe('notFound');
    });
  });

  describe('constraints', () => {
    const routes = new RouteTable([
      { functionName: 'byId', template: 'orders/{id:int}' },
      { functionName: 'byName', template: 'orders/{name:alpha:minlength(2)}' },
    ]);

    it('binds only values the constraints accept', () => {
      expect(matched(routes.match('GET', '/orders/42')).functionName).toBe('byId');
      expect(matched(routes.match('GET', '/orders/ab')).functionName).toBe('byName');
      expect(routes.match('GET', '/orders/a').kind).toBe('notFound');
      expect(routes.match('GET', '/orders/99999999999').kind).toBe('notFound');
    });
  });

  describe('template errors', () => {
    it.each([
      ['a/{x?}/b', /optional parameter/],
      ['a/{*rest}/b', /catch-all/],
      ['a/pre{x}', /mixes text/],
      ['a//b', /empty segment/],
      ['a/{x}/{X}', /appears twice/],
      ['a/{x:regex(^a$)}', /does not support/],
      ['a/{1x}', /no valid parameter name/],
    ])('rejects %s', (template, message) => {
      expect(() => parseRouteTemplate(template)).toThrow(RouteTemplateError);
      expect(() => parseRouteTemplate(template)).toThrow(message);
    });
  });
});
