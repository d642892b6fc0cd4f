import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as acme from 'acme-client';
import { emptySans } from '../../shared/crypto/certificate-profile';
import { generateKeyPair } from '../../shared/crypto/key-pair';
import type { KeySpec } from '../../shared/crypto/key-spec';
import { signCertificate } from '../../shared/crypto/sign-certificate';
import { canConnect, findFreePort } from '../../scripts/local-host/ports';
import { ChallTestSrv } from './challtestsrv';

/**
 * Pebble, Let's Encrypt's small ACME test server, and its companion pebble-challtestsrv (a DNS server whose
 * answers tests set over HTTP), started on free loopback ports for one test file. Validation is real: Pebble
 * looks up the TXT record of a DNS-01 challenge at challtestsrv, and fetches an HTTP-01 token from
 * `http://<name>:<httpChallengePort>/.well-known/acme-challenge/<token>`, the name resolving (through
 * challtestsrv's default A record) to 127.0.0.1. Only the random sleep before each validation is off.
 *
 * Pebble serves HTTPS only, with a certificate made here for 127.0.0.1 and localhost by a throwaway CA: trust
 * `apiCaCertificatePem` for Pebble's API alone (trustInAcmeClient), never process-wide.
 *
 * Debian ships both programs in its `pebble` package (.ci/run installs it). Without them, a test file that
 * uses describeWithPebble() (./pebble.ts) is skipped with a warning saying so, except in CI, where that is a
 * failure. Nothing here needs jest, so the benchmark (bench/acme-latency.ts) starts Pebble with it too.
 */

export const PEBBLE_PROGRAMS = ['pebble', 'pebble-challtestsrv'] as const;
const INSTALL_HINT = "Install Debian's pebble package (apt-get install pebble), which ships both programs.";
const HOST = '127.0.0.1';
const START_ATTEMPTS = 3;
const STOP_GRACE_MS = 5_000;
/** Pebble logs this line once per order it creates (wfe.NewOrder, Pebble 2.x): the order counter reads it. */
const ORDER_CREATED_LOG = /Added order "[^"]+" to the db/;

export interface StartPebbleOptions {
  /** Require external account binding, as Pebble's EAB example config does, with a key id and HMAC key made here. */
  externalAccountBinding?: boolean;
  /**
   * The port Pebble's validator connects to for HTTP-01 (Pebble's `httpPort`): where the challenge responder
   * must listen on 127.0.0.1. A free port is picked when absent (read it back from `httpChallengePort`).
   */
  httpChallengePort?: number;
  /**
   * How often (percent) Pebble reuses an account's valid authorization for a new order (PEBBLE_AUTHZREUSE).
   * 0 by default, so every order has challenges to answer; Pebble's own default is 50.
   */
  authzReusePercent?: number;
  /**
   * Names Pebble refuses to certify (its `domainBlocklist`): a newOrder naming one is
   * answered with a `rejectedIdentifier` problem, as a CA's policy refuses a name.
   */
  domainBlocklist?: string[];
  /**
   * How long the certificates Pebble issues are valid (its `certificateValidityPeriod`), counted from Pebble's
   * own real clock. Pebble's default is five years.
   */
  certificateValiditySeconds?: number;
  startTimeoutMs?: number;
}

export interface ExternalAccountBinding {
  kid: string;
  /** The HMAC key, base64url as CAs hand it out (and as acme-client takes it). */
  hmacKey: string;
}

export interface RunningPebble {
  /** The ACME directory, e.g. https://127.0.0.1:41234/dir. */
  directoryUrl: string;
  /** The CA (PEM) of the TLS certificate Pebble's ACME and management APIs present: trust it for them only. */
  apiCaCertificatePem: string;
  /** The same CA as a file, for tools that take a path (openssl s_client -CAfile, curl --cacert). */
  apiCaCertificateFile: string;
  /** Where Pebble's validator fetches HTTP-01 tokens (on 127.0.0.1, for every name). */
  httpChallengePort: number;
  /** Present when the server requires external account binding. */
  externalAccountBinding: ExternalAccountBinding | undefined;
  /** The DNS Pebble resolves names with: TXT records for DNS-01, A records for HTTP-01. */
  dns: ChallTestSrv;
  /** Pebble's root CA (PEM), made anew at each start: what an issued chain must verify against. */
  rootCertificatePem(): Promise<string>;
  /** Pebble's intermediate CA (PEM), which signs the leaves. */
  intermediateCertificatePem(): Promise<string>;
  /** Orders Pebble has created since it started, read from its log (each POST to newOrder that succeeded). */
  ordersPlaced(): number;
  /** Makes acme-client trust `apiCaCertificatePem` for requests to this Pebble only; returns the undo. */
  trustInAcmeClient(axios: typeof acme.axios): () => void;
  /** Pebble's and challtestsrv's output so far, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

/** Why Pebble cannot run here (its programs are not on PATH), or undefined when it can. */
export function pebbleUnavailable(): string | undefined {
  const missing = PEBBLE_PROGRAMS.filter((program) => !onPath(program));
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not found on PATH. ${INSTALL_HINT}`;
}

/** CI (CI=true or 1) must run the ACME tests; elsewhere a machine without Pebble skips them, saying why. */
export function pebbleRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1)$/i.test(env.CI?.trim() ?? '');
}

interface Ports {
  acme: number;
  management: number;
  tls: number;
  dns: number;
  dnsManagement: number;
}

interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
  exited: boolean;
}

export async function startPebble(options: StartPebbleOptions = {}): Promise<RunningPebble> {
  const unavailable = pebbleUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dir = mkdtempSync(join(tmpdir(), 'pebble-'));
  try {
    const tls = await makeApiTlsCredentials();
    const apiCaCertificateFile = join(dir, 'api-ca.pem');
    writeFileSync(apiCaCertificateFile, tls.caPem);
    writeFileSync(join(dir, 'api-cert.pem'), tls.certPem);
    writeFileSync(join(dir, 'api-key.pem'), tls.keyPem, { mode: 0o600 });
    const eab = options.externalAccountBinding ? { kid: `kid-${randomBytes(4).toString('hex')}`, hmacKey: randomBytes(32).toString('base64url') } : undefined;
    const httpChallengePort = options.httpChallengePort ?? (await findFreePort(HOST));

    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const ports = await distinctFreePorts();
      writeFileSync(join(dir, 'pebble-config.json'), JSON.stringify(pebbleConfig(dir, ports, httpChallengePort, eab, options), null, 2));
      const children: Child[] = [];
      const killOnExit = () => children.forEach((child) => child.exited || child.process.kill('SIGKILL'));
      process.on('exit', killOnExit);
      try {
        children.push(spawnLogged('pebble-challtestsrv', challtestsrvArgs(ports), {}, dir));
        await waitFor(() => canConnect(ports.dnsManagement, HOST), children, options.startTimeoutMs);
        const env = {
          PEBBLE_VA_NOSLEEP: '1',
          PEBBLE_AUTHZREUSE: String(options.authzReusePercent ?? 0),
        };
        children.push(spawnLogged('pebble', ['-config', join(dir, 'pebble-config.json'), '-dnsserver', `${HOST}:${ports.dns}`], env, dir));
        const directoryUrl = `https://${HOST}:${ports.acme}/dir`;
        await waitFor(() => answers(directoryUrl, tls.caPem), children, options.startTimeoutMs);
        return running({ dir, ports, children, killOnExit, directoryUrl, apiCaCertificatePem: tls.caPem, apiCaCertificateFile, httpChallengePort, eab });
      } catch (error) {
        lastError = error;
        await Promise.all(children.map(stopChild));
        process.off('exit', killOnExit);
        // Another process took a port between our probe and Pebble's listen: try new ports.
        if (children.some((child) => readLog(child).includes('address already in use'))) continue;
        throw error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('Pebble did not start');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

interface RunningParts {
  dir: string;
  ports: Ports;
  children: Child[];
  killOnExit: () => void;
  directoryUrl: string;
  apiCaCertificatePem: string;
  apiCaCertificateFile: string;
  httpChallengePort: number;
  eab: ExternalAccountBinding | undefined;
}

function running(parts: RunningParts): RunningPebble {
  const management = `https://${HOST}:${parts.ports.management}`;
  const pebbleChild = parts.children.find((child) => child.name === 'pebble');
  const origin = new URL(parts.directoryUrl).origin;
  const agent = new Agent({ ca: parts.apiCaCertificatePem });
  let stopping: Promise<void> | undefined;
  return {
    directoryUrl: parts.directoryUrl,
    apiCaCertificatePem: parts.apiCaCertificatePem,
    apiCaCertificateFile: parts.apiCaCertificateFile,
    httpChallengePort: parts.httpChallengePort,
    externalAccountBinding: parts.eab,
    dns: new ChallTestSrv(`http://${HOST}:${parts.ports.dnsManagement}`, `${HOST}:${parts.ports.dns}`),
    rootCertificatePem: () => httpsGetText(`${management}/roots/0`, parts.apiCaCertificatePem),
    intermediateCertificatePem: () => httpsGetText(`${management}/intermediates/0`, parts.apiCaCertificatePem),
    ordersPlaced() {
      // Pebble writes the line before it answers the order's POST, straight into the file: a client that has
      // its answer finds the line there, with no wait.
      return pebbleChild ? readLog(pebbleChild).split('\n').filter((line) => ORDER_CREATED_LOG.test(line)).length : 0;
    },
    trustInAcmeClient(axios) {
      const id = axios.interceptors.request.use((config) => {
        if (config.url && new URL(config.url).origin === origin) config.httpsAgent = agent;
        return config;
      });
      return () => axios.interceptors.request.eject(id);
    },
    logs: () => parts.children.map((child) => `--- ${child.name}\n${readLog(child)}`).join('\n'),
    stop() {
      stopping ??= Promise.all(parts.children.map(stopChild)).then(() => {
        process.off('exit', parts.killOnExit);
        agent.destroy();
        rmSync(parts.dir, { recursive: true, force: true });
      });
      return stopping;
    },
  };
}

function pebbleConfig(dir: string, ports: Ports, httpPort: number, eab: ExternalAccountBinding | undefined, options: StartPebbleOptions) {
  const domainBlocklist = options.domainBlocklist ?? [];
  return {
    pebble: {
      listenAddress: `${HOST}:${ports.acme}`,
      managementListenAddress: `${HOST}:${ports.management}`,
      certificate: join(dir, 'api-cert.pem'),
      privateKey: join(dir, 'api-key.pem'),
      httpPort,
      // Nothing answers TLS-ALPN-01 here; the port only has to be one nobody else is validated on.
      tlsPort: ports.tls,
      ocspResponderURL: '',
      externalAccountBindingRequired: eab !== undefined,
      ...(eab ? { externalAccountMACKeys: { [eab.kid]: eab.hmacKey } } : {}),
      ...(domainBlocklist.length ? { domainBlocklist } : {}),
      ...(options.certificateValiditySeconds ? { certificateValidityPeriod: options.certificateValiditySeconds } : {}),
    },
  };
}

/** challtestsrv answers DNS only: its own HTTP-01/TLS-ALPN-01 responders are off, so the test's responder answers. */
function challtestsrvArgs(ports: Ports): string[] {
  return [
    '-dns01', `${HOST}:${ports.dns}`,
    '-management', `${HOST}:${ports.dnsManagement}`,
    '-http01', '',
    '-https01', '',
    '-tlsalpn01', '',
    '-defaultIPv4', HOST,
    // No AAAA answers: the validator then connects to 127.0.0.1, where the test's responder listens.
    '-defaultIPv6', '',
  ];
}

async function distinctFreePorts(): Promise<Ports> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await findFreePort(HOST));
  const [acme = 0, management = 0, tls = 0, dns = 0, dnsManagement = 0] = [...ports];
  return { acme, management, tls, dns, dnsManagement };
}

/** Its output goes to a file, not a pipe, so the order counter reads every line Pebble has written. */
function spawnLogged(name: string, args: string[], env: Record<string, string>, dir: string): Child {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  // Pebble's knobs come only from here: an inherited PEBBLE_VA_ALWAYS_VALID would make validation pretend.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PEBBLE_')));
  const child = spawn(name, args, { cwd: dir, env: { ...inherited, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const entry: Child = { name, process: child, logFile, exited: false };
  child.once('exit', () => {
    entry.exited = true;
  });
  child.once('error', () => {
    entry.exited = true;
  });
  return entry;
}

async function waitFor(ready: () => Promise<boolean>, children: readonly Child[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((child) => child.exited);
    if (dead) throw new Error(`${dead.name} exited during startup:\n${readLog(dead)}`);
    if (await ready()) return;
    if (Date.now() > deadline) {
      throw new Error(`Pebble did not come up within ${timeoutMs} ms:\n${children.map((c) => `--- ${c.name}\n${readLog(c)}`).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopChild(child: Child): Promise<void> {
  if (child.exited) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function readLog(child: Child): string {
  try {
    return readFileSync(child.logFile, 'utf8');
  } catch {
    return '';
  }
}

async function answers(url: string, ca: string): Promise<boolean> {
  try {
    await httpsGetText(url, ca);
    return true;
  } catch {
    return false;
  }
}

/** GET over HTTPS trusting `ca` for this request only. */
function httpsGetText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { ca, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${response.statusCode} ${body}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

const TLS_KEY_SPEC: KeySpec = { kty: 'EC', curve: 'P-256' };

/** A throwaway CA and, under it, the TLS certificate of Pebble's APIs for 127.0.0.1 and localhost. */
async function makeApiTlsCredentials(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const now = Date.now();
  const notBefore = new Date(now - 3_600_000);
  const notAfter = new Date(now + 2 * 86_400_000);
  const caKeys = await generateKeyPair(TLS_KEY_SPEC);
  const caDer = await signCertificate({
    subjectPublicKeySpki: caKeys.publicKeySpki,
    profile: { subject: `CN=Pebble API test CA ${randomBytes(3).toString('hex')}`, sans: emptySans(), ekus: [], keyUsage: ['keyCertSign', 'cRLSign'] },
    notBefore,
    notAfter,
    signer: { privateKeyPkcs8: caKeys.privateKeyPkcs8, spec: TLS_KEY_SPEC },
    isCa: true,
  });
  const tlsKeys = await generateKeyPair(TLS_KEY_SPEC);
  const certDer = await signCertificate({
    subjectPublicKeySpki: tlsKeys.publicKeySpki,
    profile: {
      subject: 'CN=localhost',
      sans: { ...emptySans(), dnsNames: ['localhost'], ipAddresses: [HOST] },
      ekus: ['1.3.6.1.5.5.7.3.1'],
      keyUsage: ['digitalSignature'],
    },
    notBefore,
    notAfter,
    signer: { privateKeyPkcs8: caKeys.privateKeyPkcs8, spec: TLS_KEY_SPEC, certificateDer: caDer },
  });
  return {
    caPem: new X509Certificate(caDer).toString(),
    certPem: new X509Certificate(certDer).toString(),
    keyPem: createPrivateKey({ key: tlsKeys.privateKeyPkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
