import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Runs another language's SDK test program (test/dotnet, test/python) against the service and reads back
 * what it says about each scenario, so a jest wrapper can hold every scenario of sdk-conformance.ts to
 * having run and passed.
 */

export interface ScenarioResult {
  /** Lower-cased as the program's runner reports it: 'passed', 'failed', 'skipped' (not executed), … */
  outcome: string;
  /** The failure message and stack as the program printed them; empty when it passed. */
  message: string;
}

export type ScenarioResults = Map<string, ScenarioResult>;

export interface ProgramRun {
  command: string;
  args: readonly string[];
  /** Added to this process's environment (the service's URL, a token, the CA file, …). */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  /** The report file the program writes, and how to read it. */
  resultFile: string;
  parseResults: (reportText: string) => ScenarioResults;
}

export interface ProgramOutcome {
  results: ScenarioResults;
  exitCode: number | null;
  /** The end of what the program printed (stdout and stderr together), for a failure message. */
  outputTail: string;
}

const OUTPUT_TAIL_CHARS = 20_000;

/** Whether `command` can be run from PATH (a program that answers `--version`). */
export function isOnPath(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs the program to its end and returns its per-scenario results. A non-zero exit is normal (a scenario
 * failed); no report at all is not, and throws with the program's output so a build error is visible.
 */
export async function runSdkProgram(run: ProgramRun): Promise<ProgramOutcome> {
  const { exitCode, outputTail } = await runToEnd(run);
  if (!existsSync(run.resultFile)) {
    throw new Error(`${run.command} ${run.args.join(' ')} exited with ${exitCode} and wrote no report at ${run.resultFile}. Its output ends:\n${outputTail}`);
  }
  return { results: run.parseResults(readFileSync(run.resultFile, 'utf8')), exitCode, outputTail };
}

function runToEnd(run: ProgramRun): Promise<{ exitCode: number | null; outputTail: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout ends the program's children too (test hosts, build nodes).
    const child = spawn(run.command, [...run.args], {
      cwd: run.cwd,
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${run.command} did not finish within ${run.timeoutMs} ms. Its output ends:\n${output}`));
    }, run.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, outputTail: output });
    });
  });
}

/**
 * Reads a Visual Studio test results file (TRX, what `dotnet test --logger trx` writes): one result per
 * test, by its display name.
 */
export function parseTrx(xml: string): ScenarioResults {
  const results: ScenarioResults = new Map();
  for (const match of xml.matchAll(/<UnitTestResult\b([^>]*?)(?:\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
    const attributes = new Map([...(match[1] ?? '').matchAll(/([\w:]+)="([^"]*)"/g)].map((a) => [a[1], unescapeXml(a[2] ?? '')]));
    const name = attributes.get('testName');
    if (!name) continue;
    const body = match[2] ?? '';
    const message = [/<Message>([\s\S]*?)<\/Message>/, /<StackTrace>([\s\S]*?)<\/StackTrace>/]
      .map((pattern) => unescapeXml(pattern.exec(body)?.[1] ?? '').trim())
      .filter((part) => part !== '')
      .join('\n');
    results.set(name, { outcome: trxOutcome(attributes.get('outcome')), message });
  }
  return results;
}

function trxOutcome(outcome: string | undefined): string {
  if (outcome === 'NotExecuted') return 'skipped';
  return (outcome ?? 'unknown').toLowerCase();
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_entity, code: string) => {
    switch (code) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      case 'amp':
        return '&';
      default:
        return String.fromCodePoint(code.startsWith('#x') ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10));
    }
  });
}
