import { ANY_AUTHENTICATED_CALLER } from '../../../shared/auth/permissions';
import { DATA_ACTIONS, KEY_VAULT_ROLES, rolesGrant } from '../../../shared/auth/roles';
import { invokeRoute, loadAllFunctions, localToken, sampleRequestOf, localAuthForTests } from '../../helpers/in-process-routes';

/**
 * Every route, under every built-in Key Vault role: a role that grants the route's data action is let
 * through, and every other role (and a token without roles) gets Key Vault's 403. The cases come from the
 * registrations, so a route registered tomorrow is covered the moment it exists, and one that forgot its
 * permission cannot pass. The requests carry no api-version: a caller let through gets the 400 that comes
 * after authorization, so nothing here needs storage.
 */
const registrations = loadAllFunctions();

const cases = registrations.flatMap((registration) =>
  registration.methods.map((method) => [registration.name, method, registration] as const),
);

const keyFile = localAuthForTests();
const SUBJECT = '3975aeed-7d08-453b-b6f4-445f32698091';


const MISSING_API_VERSION = 400;

it('covers every registered route and method', () => {
  expect(cases.length).toBe(registrations.reduce((sum, r) => sum + r.methods.length, 0));
  expect(new Set(cases.map(([name]) => name)).size).toBe(registrations.length);
  expect(registrations.length).toBeGreaterThan(30);
});

describe.each(cases)('%s %s', (name, method, registration) => {
  const { path, params } = sampleRequestOf(registration.route);

  it(
    registration.permission === ANY_AUTHENTICATED_CALLER
      ? 'lets any authenticated caller through, with or without roles'
      : `needs ${registration.permission}: every role that grants ${DATA_ACTIONS[registration.permission as keyof typeof DATA_ACTIONS] ?? '?'} is let through, every other role refused 403`,
    async () => {
      const outcomes: string[] = [];
      for (const roles of [...KEY_VAULT_ROLES.map((role) => [role.value]), []]) {
        const token = await localToken(keyFile, { roles, subject: SUBJECT });
        const answer = await invokeRoute(name, { method, path, params, headers: { authorization: `Bearer ${token}` } });
        const label = roles[0] ?? '(no roles)';
        if (registration.permission === ANY_AUTHENTICATED_CALLER) {
          outcomes.push(`${label}: ${answer.status}`);
          expect({ label, status: answer.status }).toEqual({ label, status: MISSING_API_VERSION });
          continue;
        }
        const action = DATA_ACTIONS[registration.permission];
        if (rolesGrant(roles, action)) {
          outcomes.push(`${label}: allowed`);
          expect({ label, status: answer.status }).toEqual({ label, status: MISSING_API_VERSION });
        } else {
          outcomes.push(`${label}: refused`);
          expect({ label, status: answer.status }).toEqual({ label, status: 403 });
          expect(answer.headers.get('www-authenticate')).toBeNull();
          expect(answer.body).toEqual({
            error: {
              code: 'Forbidden',
              message: expect.stringMatching(
                new RegExp(
                  '^Caller is not authorized to perform action on resource\\.\\r\\n' +
                    'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time\\.\\r\\n' +
                    `Caller: appid=;oid=${SUBJECT};iss=https://localhost/local\\r\\n` +
                    `Action: '${action.replace(/[./]/g, '\\$&')}'\\r\\n` +
                    `Resource: '${path.toLowerCase().replace(/[./-]/g, '\\$&')}'\\r\\n`,
                ),
              ),
              innererror: { code: 'ForbiddenByRbac' },
            },
          });
        }
      }
      // At least one role may do it (or the route would be unusable), and Administrator always may.
      if (registration.permission !== ANY_AUTHENTICATED_CALLER) {
        expect(outcomes).toContain('KeyVault.Administrator: allowed');
        expect(outcomes).toContain('(no roles): refused');
      }
    },
  );
});
