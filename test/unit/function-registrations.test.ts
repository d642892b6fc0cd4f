import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getRegisteredFunctions } from '../../scripts/local-host/functions-core';
import { RouteTable } from '../../scripts/local-host/route-table';
import { triggerOf } from '../../scripts/local-host/trigger-bindings';
import { QUEUES, STORAGE_CONNECTION } from '../../shared/names';

/**
 * What `func start` and the Azure Functions host would register for this app. The real host cannot run
 * here, so this pins the metadata the @azure/functions library hands to it: a change to a route, method,
 * auth level, queue, connection or schedule has to be made on purpose.
 */
const functionsDir = join(__dirname, '..', '..', 'functions');

beforeAll(() => {
  for (const file of readdirSync(functionsDir).filter((f) => f.endsWith('.ts'))) {
    // Loading a function file registers it, as the Functions host's loader does with `main`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(functionsDir, file));
  }
});

function trigger(name: string) {
  const registration = getRegisteredFunctions().find((f) => f.metadata.name === name);
  if (!registration) throw new Error(`${name} is not registered`);
  const bindings = Object.values(registration.metadata.bindings);
  return bindings.find((b) => b.direction === 'in' && String(b.type).endsWith('Trigger'));
}

describe('function registrations', () => {
  it('registers exactly these HTTP routes, with in-app token checks (anonymous auth level)', () => {
    const http = getRegisteredFunctions()
      .map((f) => ({ name: f.metadata.name, trigger: trigger(f.metadata.name) }))
      .filter((f) => f.trigger?.type === 'httpTrigger')
      .map((f) => ({ name: f.name, route: f.trigger?.route, methods: f.trigger?.methods, authLevel: f.trigger?.authLevel }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(http).toEqual([
      { name: 'certificateContacts', route: 'certificates/contacts', methods: ['GET', 'PUT', 'DELETE'], authLevel: 'anonymous' },
      { name: 'certificateCreate', route: 'certificates/{name}/create', methods: ['POST'], authLevel: 'anonymous' },
      { name: 'certificateGet', route: 'certificates/{name}/{version?}', methods: ['GET'], authLevel: 'anonymous' },
      { name: 'issuerGet', route: 'certificates/issuers/{issuer}', methods: ['GET'], authLevel: 'anonymous' },
      { name: 'issuerList', route: 'certificates/issuers', methods: ['GET'], authLevel: 'anonymous' },
      { name: 'issuerSet', route: 'certificates/issuers/{issuer}', methods: ['PUT'], authLevel: 'anonymous' },
      { name: 'pendingCancel', route: 'certificates/{name}/pending', methods: ['PATCH'], authLevel: 'anonymous' },
      { name: 'pendingDelete', route: 'certificates/{name}/pending', methods: ['DELETE'], authLevel: 'anonymous' },
      { name: 'pendingGet', route: 'certificates/{name}/pending', methods: ['GET'], authLevel: 'anonymous' },
      { name: 'pendingMerge', route: 'certificates/{name}/pending/merge', methods: ['POST'], authLevel: 'anonymous' },
      { name: 'secretGet', route: 'secrets/{name}/{version?}', methods: ['GET'], authLevel: 'anonymous' },
    ]);
  });

  it('routes the paths the SDKs send, with and without trailing slash, to the function a user means', () => {
    // The host's route precedence (a literal segment before a parameter) decides which template takes a path;
    // RouteTable implements it, so this is what Azure's host does with these registrations.
    const table = new RouteTable(
      getRegisteredFunctions().flatMap((fn) => {
        const t = triggerOf(fn);
        return t.kind === 'http' ? [{ functionName: t.functionName, template: t.route, ...(t.methods ? { methods: t.methods } : {}) }] : [];
      }),
    );
    const target = (method: string, path: string) => {
      const match = table.match(method, path);
      return match.kind === 'matched' ? [match.route.functionName, match.params] : [match.kind];
    };
    // Latest version: JS and Python send the trailing slash, .NET does not.
    expect(target('GET', '/certificates/c1/')).toEqual(['certificateGet', { name: 'c1' }]);
    expect(target('GET', '/certificates/c1')).toEqual(['certificateGet', { name: 'c1' }]);
    expect(target('GET', '/certificates/c1/abc')).toEqual(['certificateGet', { name: 'c1', version: 'abc' }]);
    // The vault's collections are never a certificate named "issuers" or "contacts".
    for (const path of ['/certificates/issuers', '/certificates/issuers/']) expect(target('GET', path)).toEqual(['issuerList', {}]);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect(target(method, '/certificates/contacts')).toEqual(['certificateContacts', {}]);
      expect(target(method, '/certificates/contacts/')).toEqual(['certificateContacts', {}]);
    }
    expect(target('GET', '/certificates/issuers/i1')).toEqual(['issuerGet', { issuer: 'i1' }]);
    expect(target('GET', '/secrets/c1')).toEqual(['secretGet', { name: 'c1' }]);
  });

  it('registers the issuer job and its poison consumer on the app storage connection', () => {
    expect(trigger('issuerJob')).toMatchObject({ type: 'queueTrigger', queueName: QUEUES.issuerJobs, connection: STORAGE_CONNECTION });
    expect(trigger('issuerJobPoison')).toMatchObject({ type: 'queueTrigger', queueName: QUEUES.issuerJobsPoison, connection: STORAGE_CONNECTION });
    expect(QUEUES.issuerJobsPoison).toBe(`${QUEUES.issuerJobs}-poison`);
  });

  it('schedules the status sweep from an app setting', () => {
    expect(trigger('statusSweep')).toMatchObject({ type: 'timerTrigger', schedule: '%STATUS_SWEEP_SCHEDULE%' });
  });

  it('registers nothing else, and every name once', () => {
    const names = getRegisteredFunctions().map((f) => f.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(14);
  });
});
