import { refuseUnmatchedRequest } from '../../../functions/http/unmatched-request';
import type { RouteDefinition } from '../../../functions/http/route-table';

const ROUTES: RouteDefinition[] = [
  { functionName: 'certificateGet', template: 'certificates/{name}/{version?}', methods: ['GET'] },
  { functionName: 'certificateCreate', template: 'certificates/{name}/create', methods: ['POST'] },
  { functionName: 'pendingGet', template: 'certificates/{name}/pending', methods: ['GET'] },
  { functionName: 'pendingCancel', template: 'certificates/{name}/pending', methods: ['PATCH'] },
  { functionName: 'contacts', template: 'certificates/contacts', methods: ['GET', 'PUT', 'DELETE'] },
];

const refusal = (method: string, path: string) => {
  const error = refuseUnmatchedRequest(method, path, ROUTES);
  return { status: error.status, body: error.toBody(), allow: error.headers.Allow };
};

describe('the refusal of a request no operation took', () => {
  it('is 405 with Key Vault\'s message and the allowed methods when the path is known under other methods', () => {
    expect(refusal('DELETE', '/certificates/c1/pending')).toEqual({
      status: 405,
      body: { error: { code: 'MethodNotAllowed', message: 'HTTP DELETE not allowed' } },
      allow: 'GET, PATCH',
    });
    expect(refusal('delete', '/certificates/c1')).toMatchObject({ status: 405, allow: 'GET' });
    expect(refusal('POST', '/certificates/contacts/')).toMatchObject({ status: 405, allow: 'DELETE, GET, PUT' });
  });

  it('answers an empty name as Key Vault does: POST /certificates//create is 405 "HTTP POST not allowed"', () => {
    expect(refusal('POST', '/certificates//create')).toEqual({
      status: 405,
      body: { error: { code: 'MethodNotAllowed', message: 'HTTP POST not allowed' } },
      allow: 'GET',
    });
  });

  it('is 404 naming the path when no operation has that path, whatever the method', () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      expect(refusal(method, '/keys/k1/sign')).toEqual({
        status: 404,
        body: { error: { code: 'NotFound', message: 'The path /keys/k1/sign does not match any operation of this service.' } },
        allow: undefined,
      });
    }
    expect(refusal('GET', '/').body.error.message).toBe('The path / does not match any operation of this service.');
    expect(refusal('GET', '/certificates/c1/v1/extra').status).toBe(404);
  });

  it('never calls an unknown path a missing certificate', () => {
    expect(JSON.stringify(refusal('GET', '/certificates/c1/v1/extra').body)).not.toContain('CertificateNotFound');
  });
});
