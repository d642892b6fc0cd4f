import type { AuditRecord } from '../../../functions/http/audit';
import { invokeRoute, loadAllFunctions, localToken, localAuthForTests } from '../../helpers/in-process-routes';

/**
 * The audit trail, read as an operator reads it: what the function wrote through its InvocationContext (the
 * lines Application Insights receives in Azure), one record per request, whatever the outcome.
 */
loadAllFunctions(['certificate-get.ts', 'secret-get.ts', 'issuer-get.ts', 'unmatched-route.ts']);

const keyFile = localAuthForTests();


/** The one audit record among the lines, checked to be alone. */
function auditOf(lines: string[]): AuditRecord {
  const records = lines.filter((line) => line.includes(' audit={'));
  expect(records).toHaveLength(1);
  const [line] = records;
  return JSON.parse(/ audit=(\{.*\})$/.exec(line ?? '')?.[1] ?? 'null') as AuditRecord;
}

const certificateVersion = { method: 'GET', path: '/certificates/audited/0123abcd', params: { name: 'audited', version: '0123abcd' } };

it('records a request without a token: 401, no caller, why, and the request id the caller got', async () => {
  const answer = await invokeRoute('certificateGet', { ...certificateVersion, query: '?api-version=7.5' });
  expect(answer.status).toBe(401);
  const record = auditOf(answer.lines);
  expect(record).toEqual({
    requestId: answer.headers.get('x-ms-request-id'),
    operation: 'certificateGet',
    action: 'Microsoft.KeyVault/vaults/certificates/read',
    method: 'GET',
    path: '/certificates/audited/0123abcd',
    objectName: 'audited',
    objectVersion: '0123abcd',
    status: 401,
    result: 'unauthenticated',
    caller: null,
    authenticationFailure: 'missing',
    durationMs: expect.any(Number),
  });
  expect(answer.lines.find((line) => line.includes(' audit={'))).toMatch(
    new RegExp(`^certificateGet \\[information\\] GET /certificates/audited/0123abcd 401 \\d+ ms x-ms-request-id=${record.requestId} audit=`),
  );
});

it('records a refused token with the reason, and never the token', async () => {
  const token = await localToken(keyFile, { roles: ['KeyVault.Administrator'] });
  // A changed payload breaks the signature.
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;
  const answer = await invokeRoute('certificateGet', { ...certificateVersion, query: '?api-version=7.5', headers: { authorization: `Bearer ${tampered}` } });
  expect(answer.status).toBe(401);
  expect(auditOf(answer.lines)).toMatchObject({ status: 401, result: 'unauthenticated', caller: null, authenticationFailure: 'signature' });
  expect(answer.lines.join('\n')).not.toContain(tampered);
  expect(answer.lines.join('\n')).not.toContain(signature);
});

it('records a 403 with who was refused what', async () => {
  const token = await localToken(keyFile, { roles: ['KeyVault.Reader'], subject: 'reader-1' });
  const answer = await invokeRoute('secretGet', {
    method: 'GET',
    path: '/secrets/audited/0123abcd',
    params: { name: 'audited', version: '0123abcd' },
    query: '?api-version=7.5&secret-ish=query-value',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(answer.status).toBe(403);
  expect(auditOf(answer.lines)).toEqual({
    requestId: answer.headers.get('x-ms-request-id'),
    operation: 'secretGet',
    action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    method: 'GET',
    path: '/secrets/audited/0123abcd',
    objectName: 'audited',
    objectVersion: '0123abcd',
    status: 403,
    result: 'forbidden',
    caller: { oid: 'reader-1', appid: null, tenantId: 'local' },
    authenticationFailure: null,
    durationMs: expect.any(Number),
  });
  const text = answer.lines.join('\n');
  expect(text).not.toContain(token);
  expect(text).not.toContain('query-value');
});

it('records an allowed caller whose request is refused later (400), issuer names as the object', async () => {
  const token = await localToken(keyFile, { roles: ['KeyVault.CertificatesOfficer'], subject: 'officer-1' });
  const answer = await invokeRoute('issuerGet', {
    method: 'GET',
    path: '/certificates/issuers/corp-ca',
    params: { issuer: 'corp-ca' },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(answer.status).toBe(400);
  expect(auditOf(answer.lines)).toMatchObject({
    operation: 'issuerGet',
    action: 'Microsoft.KeyVault/vaults/certificatecas/read',
    objectName: 'corp-ca',
    objectVersion: null,
    status: 400,
    result: 'refused',
    caller: { oid: 'officer-1', appid: null, tenantId: 'local' },
  });
});

it('records the catch-all with no data action, and bounds what a caller can make long', async () => {
  const token = await localToken(keyFile, { roles: [] });
  const long = 'n'.repeat(5000);
  const answer = await invokeRoute('certificateGet', {
    method: 'GET',
    path: `/certificates/${long}`,
    params: { name: long },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(answer.status).toBe(403);
  const record = auditOf(answer.lines);
  expect(record.objectName?.length).toBeLessThanOrEqual(259);
  expect(record.path.length).toBeLessThanOrEqual(1027);

  const unmatched = await invokeRoute('unmatchedRoute', {
    method: 'GET',
    path: '/no/such/route',
    params: { path: 'no/such/route' },
    headers: { authorization: `Bearer ${token}` },
  });
  // Without an api-version the catch-all answers 400 before it would open storage (with one: 404/405).
  expect(unmatched.status).toBe(400);
  expect(auditOf(unmatched.lines)).toMatchObject({
    operation: 'unmatchedRoute',
    action: null,
    status: 400,
    result: 'refused',
    objectName: null,
    caller: { oid: 'local-user', appid: null, tenantId: 'local' },
  });
});
