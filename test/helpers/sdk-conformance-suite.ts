import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProgramOutcome, type ProgramRun, runSdkProgram } from './external-sdk';
import { SDK_CONFORMANCE_SCENARIOS, type SdkConformanceScenario } from './sdk-conformance';
import { type ServiceUnderTest, startService } from './service-under-test';

/** One official SDK in another language, as its jest wrapper describes it. */
export interface ExternalSdk {
  /** As people call it: '.NET', 'Python'. */
  label: string;
  /** Why it cannot run here, or undefined when it can. */
  unavailable: string | undefined;
  /**
   * Scenarios this SDK cannot run at all, each with the reason (e.g. a package the registry does not serve).
   * The program must report each one skipped; the wrapper prints the reason on every run, in CI too, and fails
   * if the program runs it after all (then the entry is stale: remove it).
   */
  cannotRun?: Partial<Record<SdkConformanceScenario, string>>;
  timeoutMs: number;
  /** Its test program against the running service, writing its report into `reportDir`. */
  program(service: ServiceUnderTest, token: string, reportDir: string): Omit<ProgramRun, 'timeoutMs'>;
}

/**
 * Runs the SDK's test program once against a fresh service over HTTPS, then holds every scenario of
 * sdk-conformance.ts to having run and passed (but those it declares it cannot run), and the program to having
 * failed nothing else. An SDK that cannot run here is skipped with its reason, except in CI (CI=true), where
 * that is a failure.
 */
export function describeSdkConformance(sdk: ExternalSdk): void {
  const mustRun = process.env.CI === 'true';
  if (sdk.unavailable && !mustRun) console.warn(`${sdk.label} SDK conformance tests skipped: ${sdk.unavailable}`);
  const cannotRun = new Map(Object.entries(sdk.cannotRun ?? {}));
  for (const [scenario, reason] of cannotRun) console.warn(`${sdk.label} SDK cannot run the conformance scenario ${scenario}: ${reason}`);

  (sdk.unavailable && !mustRun ? describe.skip : describe)(`the official ${sdk.label} SDK passes every conformance scenario`, () => {
    let service: ServiceUnderTest | undefined;
    let reportDir: string | undefined;
    let run: ProgramOutcome;

    beforeAll(async () => {
      if (sdk.unavailable) throw new Error(`CI must run the ${sdk.label} SDK conformance tests, but ${sdk.unavailable}`);
      service = await startService();
      reportDir = mkdtempSync(join(tmpdir(), 'sdk-conformance-'));
      const program = sdk.program(service, await service.token({ lifetimeSeconds: 3600 }), reportDir);
      run = await runSdkProgram({ ...program, timeoutMs: sdk.timeoutMs });
    }, sdk.timeoutMs + 60_000);

    afterAll(async () => {
      await service?.stop();
      if (reportDir) rmSync(reportDir, { recursive: true, force: true });
    });

    test.each(SDK_CONFORMANCE_SCENARIOS.filter((scenario) => !cannotRun.has(scenario)))('%s', (scenario) => {
      const result = reported(scenario);
      if (result.outcome !== 'passed') throw new Error(`${scenario} ${result.outcome} in ${sdk.label}:\n${result.message}`);
    });

    if (cannotRun.size > 0) {
      test.each([...cannotRun])('%s is reported skipped, as this SDK cannot run it: %s', (scenario) => {
        const result = reported(scenario);
        if (result.outcome !== 'skipped') {
          throw new Error(`${sdk.label} ${result.outcome} ${scenario}, which its wrapper says it cannot run; if it can now, remove it from cannotRun.\n${result.message}`);
        }
      });
    }

    function reported(scenario: string) {
      const result = run.results.get(scenario);
      if (!result) {
        throw new Error(`${sdk.label} reported no result for ${scenario} (exit ${run.exitCode}); it reported: ${[...run.results.keys()].join(', ') || 'nothing'}. Its output ends:\n${run.outputTail}`);
      }
      return result;
    }

    test(`the ${sdk.label} program ran nothing else that failed, and exited 0`, () => {
      const failedElsewhere = [...run.results]
        .filter(([name, result]) => result.outcome !== 'passed' && !(cannotRun.has(name) && result.outcome === 'skipped'))
        .map(([name, result]) => `${name}: ${result.outcome}\n${result.message}`);
      expect(failedElsewhere).toEqual([]);
      if (run.exitCode !== 0) throw new Error(`${sdk.label} exited with ${run.exitCode}. Its output ends:\n${run.outputTail}`);
    });
  });
}
