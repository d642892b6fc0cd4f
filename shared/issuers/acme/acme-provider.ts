import { X509Certificate } from 'node:crypto';
import type * as acme from 'acme-client';
import { acmeLibrary } from './acme-http';
import { KeyDecryptionError, openPrivateKey, sealPrivateKey } from '../../crypto/key-encryption';
import type { IssuerObject } from '../../domain/issuer';
import type { JsonValue } from '../../domain/json-value';
import {
  issuerFailure,
  requestRejected,
  type CancellationStep,
  type IssuanceRequest,
  type IssuanceStep,
  type IssuerProvider,
  type ProviderState,
} from '../issuer-provider';
import { acmeNamesOf } from './acme-identifiers';
import { listAccountOrders, orderDigest } from './acme-orders-list';
import { AcmeIssuerMisconfigured, acmeIssuerProblem, acmeIssuerSettings, type AcmeIssuerSettings } from './acme-issuer-settings';
import type { AcmeAccountRepository, Http01AnswerRepository } from './acme-stores';
import { dnsChallengeName, type DnsChallengeResponder } from './dns-challenge';
import { directoryOf, fetchRenewalInfo, renewalInfoUrlOf } from './renewal-info';
import { ariCertIdOfCertificate } from '../../crypto/ari-cert-id';
import type { RenewalInfo } from '../../domain/renewal-window';

/**
 * The `ACME` provider (RFC 8555; docs/acme.md): orders a certificate for the policy's DNS names from the
 * directory an issuer object names, answers each authorization with DNS-01 (when the deployment has a DNS
 * responder) or HTTP-01 (the anonymous /.well-known/acme-challenge/{token} route), and finalizes with the
 * operation's CSR, so the private key never leaves the service.
 *
 * One queue message, one step, never a wait (docs/issuers.md):
 * - start: the account (created once per issuer and directory), then `ordering`, come back in 1 s; the order
 *   is placed in a step of its own so that a repeated `start` places nothing. `ordering` is the intent to
 *   order, saved before any order exists, with the orders the account has at the CA then (when the CA lists
 *   them, RFC 8555 §7.1.2.1);
 * - poll `ordering`: place the order, or take over the one a run that died here placed and never saved (the
 *   single pending order for the same names that the account did not have at start), and publish every
 *   answer → `answering`;
 * - poll `answering`: tell the CA to validate → `validating` (a step apart, so a DNS answer has a moment to be
 *   served before the CA looks, and a cancellation meanwhile finds the authorizations still pending);
 * - poll `validating`: read the order; `invalid` fails with the CA's problem (type and detail, read from the
 *   authorization: acme-client's errors keep only the detail), `ready` finalizes, `valid` downloads the chain;
 *   otherwise look again later. Answers are withdrawn once the CA no longer needs them.
 * - cancel: deactivate what is still pending, withdraw the answers.
 */
export interface AcmeProviderDependencies {
  accounts: AcmeAccountRepository;
  http01: Http01AnswerRepository;
  /** Where DNS-01 is answered; without it, HTTP-01 is used (and wildcards cannot be ordered). */
  dnsChallenge?: DnsChallengeResponder;
  /** Seconds between publishing DNS-01 answers and asking the CA to look (ACME_DNS_SETTLE_SECONDS). */
  dnsSettleSeconds?: number;
  keyEncryptionKey: Buffer;
  /** What an issuer object's password was sealed with (shared/services/issuer-objects.ts). */
  passwordBinding: (issuerName: string) => string;
}

type ChallengeType = 'dns-01' | 'http-01';

interface PendingAuthorization {
  url: string;
  identifier: string;
  challengeUrl: string;
  token: string;
}

interface PlacedOrder {
  directoryUrl: string;
  orderUrl: string;
  challengeType: ChallengeType;
  authorizations: PendingAuthorization[];
  polls: number;
}

interface OrderingIntent {
  phase: 'ordering';
  directoryUrl: string;
  /** Digests of the account's order URLs when the intent was saved; absent when the CA does not list them. */
  priorOrders?: string[];
}

type AcmeStateData = OrderingIntent | ({ phase: 'answering' | 'validating' } & PlacedOrder);

/** Published DNS-01 values, to withdraw later: sealed, as the brief for state says of key material. */
interface AcmeStateSecret {
  dnsAnswers: { fqdn: string; value: string }[];
}

/** More orders new since the intent than this, and none is taken over: the account is busy with others. */
const MAX_NEW_ORDERS_EXAMINED = 5;

/** The longest wait between two looks at an order. */
const MAX_POLL_SECONDS = 60;

export const ACME_PROVIDER_NAME = 'ACME';

export function acmeProvider(deps: AcmeProviderDependencies): IssuerProvider {
  const challengeType: ChallengeType = deps.dnsChallenge ? 'dns-01' : 'http-01';
  // An HTTP-01 answer is served the moment it is stored; a DNS one needs the zone's servers to catch up.
  const settleSeconds = challengeType === 'dns-01' ? (deps.dnsSettleSeconds ?? 1) : 1;

  // One client per registered account (directory, account URL and key) for the life of the process: acme-client
  // keeps the directory it read (for a day), so a step does not fetch it again. Nothing else is kept: every
  // signed request still fetches a fresh nonce.
  const registeredClients = new BoundedCache<acme.Client>(MAX_CACHED_CLIENTS);

  async function client(issuer: IssuerObject, settings: AcmeIssuerSettings): Promise<acme.Client> {
    const binding = accountKeyBinding(issuer.name, settings.directoryUrl);
    let account = await deps.accounts.get(issuer.name, settings.directoryUrl);
    if (!account) {
      const key = await acmeLibrary().crypto.createPrivateEcdsaKey('P-256');
      account = await deps.accounts.createOnce(issuer.name, {
        directoryUrl: settings.directoryUrl,
        sealedAccountKey: sealPrivateKey(deps.keyEncryptionKey, key, binding),
      });
    }
    if (account.accountUrl) {
      const { accountUrl, sealedAccountKey } = account;
      return registeredClients.get(clientKey(settings.directoryUrl, accountUrl, sealedAccountKey), () => {
        const accountKey = openPrivateKey(deps.keyEncryptionKey, sealedAccountKey, binding);
        const { Client } = acmeLibrary();
        return new Client({ directoryUrl: settings.directoryUrl, accountKey, accountUrl });
      });
    }
    const accountKey = openPrivateKey(deps.keyEncryptionKey, account.sealedAccountKey, binding);
    const { Client } = acmeLibrary();
    const fresh = new Client({
      directoryUrl: settings.directoryUrl,
      accountKey,
      ...(settings.externalAccountBinding ? { externalAccountBinding: settings.externalAccountBinding } : {}),
    });
    // newAccount with a key the CA knows answers the existing account, so a repeat after a crash is harmless.
    const contact = issuer.adminContacts.flatMap((c) => (c.email && /^[^@\s]+@[^@\s]+$/.test(c.email) ? [`mailto:${c.email}`] : []));
    try {
      await fresh.createAccount({ termsOfServiceAgreed: true, ...(contact.length ? { contact } : {}) });
    } catch (error) {
      // A refused account (a wrong binding, a contact it will not take) is the issuer object's to fix.
      const problem = problemOf(error);
      if (problem && !TRANSIENT_PROBLEMS.has(problem.type)) {
        throw new AcmeIssuerMisconfigured(`The ACME directory ${settings.directoryUrl} refused to register the account: ${problem.text}`);
      }
      throw error;
    }
    await deps.accounts.setAccountUrl(issuer.name, settings.directoryUrl, fresh.getAccountUrl());
    return registeredClients.get(clientKey(settings.directoryUrl, fresh.getAccountUrl(), account.sealedAccountKey), () => fresh);
  }

  function settingsOf(request: IssuanceRequest): { issuer: IssuerObject; settings: AcmeIssuerSettings } {
    const issuer = request.issuer;
    if (!issuer) throw new AcmeIssuerMisconfigured(`The ACME issuer '${request.issuerName}' has no issuer object.`);
    return { issuer, settings: acmeIssuerSettings(issuer, deps.keyEncryptionKey, deps.passwordBinding(issuer.name)) };
  }

  async function start(request: IssuanceRequest): Promise<IssuanceStep> {
    const names = acmeNamesOf(request.policy);
    if (!names.ok) return requestRejected(names.reason);
    if (challengeType === 'http-01' && names.names.some((n) => n.startsWith('*.'))) {
      return requestRejected('A wildcard name can only be validated through DNS-01, and this deployment has no DNS zone for ACME (ACME_DNS_ZONE_RESOURCE_ID).');
    }
    const { issuer, settings } = settingsOf(request);
    const acmeClient = await client(issuer, settings);
    const listed = await listAccountOrders(acmeClient);
    const intent: OrderingIntent = { phase: 'ordering', directoryUrl: settings.directoryUrl, ...(listed ? { priorOrders: listed.map(orderDigest) } : {}) };
    // The order is placed in a step of its own (so its intent is saved first), but nothing needs waiting for.
    return pending(intent, undefined, 0);
  }

  /**
   * The order a run of this step placed before it died (after the CA accepted newOrder, before the job saved
   * the order's URL): among the account's orders that were not there when the intent was saved, the one
   * still pending for exactly these names. None, or more than one (another request for the same names
   * ordering at the same moment), and nothing is taken over.
   */
  async function orderLeftBehind(acmeClient: acme.Client, intent: OrderingIntent, names: string[]): Promise<acme.Order | undefined> {
    if (!intent.priorOrders) return undefined;
    const listed = await listAccountOrders(acmeClient);
    if (!listed) return undefined;
    const prior = new Set(intent.priorOrders);
    const fresh = listed.filter((url) => !prior.has(orderDigest(url)));
    if (fresh.length === 0 || fresh.length > MAX_NEW_ORDERS_EXAMINED) return undefined;
    const wanted = [...names].map((n) => n.toLowerCase()).sort().join(',');
    const candidates: acme.Order[] = [];
    for (const url of fresh) {
      const order = await acmeClient.getOrder(orderAt(url));
      const identifiers = order.identifiers.map((i) => i.value.toLowerCase()).sort().join(',');
      if (order.status === 'pending' && identifiers === wanted) candidates.push(order);
    }
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  async function placeOrder(request: IssuanceRequest, intent: OrderingIntent): Promise<IssuanceStep> {
    const { issuer, settings } = settingsOf(request);
    const names = acmeNamesOf(request.policy);
    if (!names.ok) return requestRejected(names.reason);
    const directoryUrl = intent.directoryUrl;
    const acmeClient = await client(issuer, { ...settings, directoryUrl });
    const order =
      (await orderLeftBehind(acmeClient, intent, names.names)) ??
      (await newOrder(acmeClient, directoryUrl, names.names, request.replaces));
    const authorizations = await acmeClient.getAuthorizations(order);
    const pendingOnes: PendingAuthorization[] = [];
    const dnsAnswers: AcmeStateSecret['dnsAnswers'] = [];
    // Every answer is published before the CA is asked to look (a wildcard and its apex share one TXT name).
    for (const authorization of authorizations) {
      if (authorization.status === 'valid') continue; // reused by the CA: nothing to prove
      const challenge = authorization.challenges.find((c) => c.type === challengeType);
      if (!challenge) return requestRejected(`The ACME server offered no ${challengeType} challenge for ${authorization.identifier.value}.`);
      const answer = await acmeClient.getChallengeKeyAuthorization(challenge);
      if (challengeType === 'dns-01') {
        const fqdn = dnsChallengeName(authorization.identifier.value);
        await deps.dnsChallenge?.setTxt(fqdn, answer);
        dnsAnswers.push({ fqdn, value: answer });
      } else {
        await deps.http01.put(challenge.token, answer);
      }
      pendingOnes.push({ url: authorization.url, identifier: authorization.identifier.value, challengeUrl: challenge.url, token: challenge.token });
    }
    return pending(
      { phase: 'answering', directoryUrl, orderUrl: order.url, challengeType, authorizations: pendingOnes, polls: 0 },
      { dnsAnswers },
      settleSeconds,
    );
  }

  async function askToValidate(request: IssuanceRequest, data: PlacedOrder, secret: AcmeStateSecret | undefined): Promise<IssuanceStep> {
    const { issuer, settings } = settingsOf(request);
    const acmeClient = await client(issuer, { ...settings, directoryUrl: data.directoryUrl });
    // Asking again for a challenge already being validated is harmless (RFC 8555 §7.5.1), so a repeat is too.
    for (const a of data.authorizations) await acmeClient.completeChallenge({ type: data.challengeType, url: a.challengeUrl, token: a.token, status: 'pending' });
    return pending({ ...data, phase: 'validating' }, secret, 1);
  }

  async function withdrawAnswers(data: PlacedOrder, secret: AcmeStateSecret | undefined): Promise<void> {
    for (const { fqdn, value } of secret?.dnsAnswers ?? []) await deps.dnsChallenge?.removeTxt(fqdn, value);
    if (data.challengeType === 'http-01') for (const a of data.authorizations) await deps.http01.remove(a.token);
  }

  async function advanceOrder(request: IssuanceRequest, data: PlacedOrder, secret: AcmeStateSecret | undefined): Promise<IssuanceStep> {
    const { issuer, settings } = settingsOf(request);
    const acmeClient = await client(issuer, { ...settings, directoryUrl: data.directoryUrl });
    let order = await acmeClient.getOrder(orderAt(data.orderUrl));
    if (order.status === 'invalid') {
      await withdrawAnswers(data, secret);
      return requestRejected(await rejectionOf(acmeClient, order));
    }
    if (order.status === 'ready') {
      await withdrawAnswers(data, secret);
      order = await acmeClient.finalizeOrder(order, csrPem(request.csrDer));
    }
    if (order.status === 'valid') {
      await withdrawAnswers(data, secret);
      const chainPem = await acmeClient.getCertificate(order);
      return { kind: 'issued', chainDer: acmeLibrary().crypto.splitPemChain(chainPem).map((pem) => new X509Certificate(pem).raw) };
    }
    if (order.status === 'invalid') return requestRejected(await rejectionOf(acmeClient, order));
    // pending (the CA validating) or processing (issuing): look again, less often as it takes longer.
    const polls = data.polls + 1;
    return pending({ ...data, phase: 'validating', polls }, secret, Math.min(2 ** Math.floor(polls / 2), MAX_POLL_SECONDS));
  }

  /**
   * newOrder, naming the certificate a renewal replaces when the CA offers ARI (RFC 9773 §5). A CA that will not
   * take the order as that certificate's replacement (`alreadyReplaced`: a renewal ordered before, e.g. by a run
   * that failed later) is asked for a plain order: the renewal must not fail over a hint.
   */
  async function newOrder(acmeClient: acme.Client, directoryUrl: string, names: string[], replaces: string | undefined): Promise<acme.Order> {
    const identifiers = names.map((value) => ({ type: 'dns', value }));
    if (!replaces || !renewalInfoUrlOf(await directoryOf(acmeClient, directoryUrl))) return acmeClient.createOrder({ identifiers });
    try {
      // acme-client 5.4 passes newOrder's payload through as given; its type does not know `replaces` yet.
      return await acmeClient.createOrder({ identifiers, replaces } as Parameters<acme.Client['createOrder']>[0]);
    } catch (error) {
      if (problemOf(error)?.type === 'alreadyReplaced') return acmeClient.createOrder({ identifiers });
      throw error;
    }
  }

  /** What the CA says of a certificate it issued (RFC 9773); undefined when its directory offers no ARI. */
  async function renewalInfo(issuer: IssuerObject | undefined, leafDer: Buffer): Promise<RenewalInfo | undefined> {
    if (!issuer) return undefined;
    const certId = ariCertIdOfCertificate(leafDer);
    if (!certId) return undefined;
    const settings = acmeIssuerSettings(issuer, deps.keyEncryptionKey, deps.passwordBinding(issuer.name));
    const url = renewalInfoUrlOf(await directoryOf(undefined, settings.directoryUrl));
    return url ? fetchRenewalInfo(url, certId) : undefined;
  }

  return {
    name: ACME_PROVIDER_NAME,
    checkIssuerObject: acmeIssuerProblem,
    renewalInfo,
    start: (request) => guarded(request, () => start(request)),
    poll: (request, state) =>
      guarded(request, () => {
        const data = state.data as unknown as AcmeStateData;
        if (data.phase === 'ordering') return placeOrder(request, data);
        if (data.phase === 'answering') return askToValidate(request, data, state.secret as unknown as AcmeStateSecret | undefined);
        return advanceOrder(request, data, state.secret as unknown as AcmeStateSecret | undefined);
      }),
    async cancel(request, state): Promise<CancellationStep> {
      const data = state.data as unknown as AcmeStateData;
      if (data.phase === 'ordering') return { kind: 'cancelled' };
      try {
        const { issuer, settings } = settingsOf(request);
        const acmeClient = await client(issuer, { ...settings, directoryUrl: data.directoryUrl });
        for (const authorization of await acmeClient.getAuthorizations(await acmeClient.getOrder(orderAt(data.orderUrl)))) {
          if (authorization.status === 'pending') await acmeClient.deactivateAuthorization(authorization);
        }
        await withdrawAnswers(data, state.secret as unknown as AcmeStateSecret | undefined);
        return { kind: 'cancelled' };
      } catch (error) {
        const step = failureStep(request, error);
        // A cancellation cannot fail for good: what cannot be undone at the CA expires there by itself.
        return step.kind === 'retry' ? step : { kind: 'cancelled' };
      }
    },
  };
}

function clientKey(directoryUrl: string, accountUrl: string, sealedAccountKey: string): string {
  return `${directoryUrl}\n${accountUrl}\n${sealedAccountKey}`;
}

/** Accounts whose client a process keeps (one per issuer object and directory in use). */
const MAX_CACHED_CLIENTS = 100;

/** A map that forgets its oldest entry beyond `limit`. */
class BoundedCache<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly limit: number) {}

  get(key: string, make: () => T): T {
    const found = this.entries.get(key);
    if (found !== undefined) return found;
    const made = make();
    this.entries.set(key, made);
    const oldest = this.entries.keys().next().value;
    if (this.entries.size > this.limit && oldest !== undefined) this.entries.delete(oldest);
    return made;
  }
}

function pending(data: AcmeStateData, secret: AcmeStateSecret | undefined, retryAfterSeconds: number): IssuanceStep {
  const state: ProviderState = { data: data as unknown as JsonValue, ...(secret ? { secret: secret as unknown as JsonValue } : {}) };
  return { kind: 'pending', state, retryAfterSeconds };
}

/** An order known by its URL alone: acme-client reads it again from there. */
function orderAt(url: string): acme.Order {
  return { url, status: 'pending', identifiers: [], authorizations: [], finalize: '' };
}

function accountKeyBinding(issuerName: string, directoryUrl: string): string {
  return `acme-account:${issuerName.toLowerCase()}/${directoryUrl}`;
}

function csrPem(csrDer: Buffer): string {
  const lines = csrDer.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

interface AcmeProblem {
  type?: string;
  detail?: string;
}

/** The CA's own words for an invalid order: the failed challenge's problem, else the order's. */
async function rejectionOf(acmeClient: acme.Client, order: acme.Order): Promise<string> {
  const authorizations = await acmeClient.getAuthorizations(order);
  for (const authorization of authorizations) {
    const failed = authorization.challenges.find((c) => c.status === 'invalid' && c.error);
    if (failed) {
      return `The ACME server refused to validate ${authorization.identifier.value}: ${describeProblem(failed.error as AcmeProblem)}`;
    }
  }
  return `The ACME server refused the order: ${describeProblem((order.error ?? {}) as AcmeProblem)}`;
}

function describeProblem(problem: AcmeProblem): string {
  return [problem.type, problem.detail].filter(Boolean).join(': ') || 'no reason given';
}

/** Problem types that say "later", not "no" (RFC 8555 §6.6, §6.7). */
const TRANSIENT_PROBLEMS = new Set(['serverInternal', 'rateLimited', 'badNonce', 'orderNotReady']);

/** The ACME problem acme-http.ts put in front of an error's message: its short type and the whole text. */
function problemOf(error: unknown): { type: string; text: string } | undefined {
  const message = error instanceof Error ? error.message : '';
  const type = /^urn:ietf:params:acme:error:([A-Za-z]+)/.exec(message)?.[1];
  return type ? { type, text: message } : undefined;
}

/** Network failures acme-client lets through: the directory may answer later. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function guarded(request: IssuanceRequest, step: () => Promise<IssuanceStep>): Promise<IssuanceStep> {
  return step().catch((error: unknown) => failureStep(request, error));
}

/**
 * A misconfigured issuer fails the request as the issuer's fault; a CA's refusal (a problem document of a
 * permanent type, e.g. rejectedIdentifier at newOrder, badCSR at finalize) as a rejection of this request;
 * anything else (network, timeout, serverInternal, rateLimited, a 5xx without a problem) is retried with the
 * job's backoff, shown to the caller in the CA's words. What is neither the CA's nor the network's is
 * rethrown, for the job to log and word for the caller.
 */
function failureStep(request: IssuanceRequest, error: unknown): IssuanceStep {
  if (error instanceof AcmeIssuerMisconfigured) return issuerFailure(error.message);
  if (error instanceof KeyDecryptionError) {
    return issuerFailure(`The ACME account key of issuer '${request.issuerName}' cannot be opened with this deployment's key-encryption key.`);
  }
  const directory = request.issuer?.accountId ?? 'the ACME directory';
  const problem = problemOf(error);
  // The CA said no to this request (an identifier, the CSR): asking again gets the same answer.
  if (problem && !TRANSIENT_PROBLEMS.has(problem.type)) return requestRejected(`The ACME server refused the request: ${problem.text}`);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
  if (code && TRANSIENT_CODES.has(code)) return { kind: 'retry', message: `The ACME directory ${directory} could not be reached (${code}).` };
  if (problem) return { kind: 'retry', message: `The ACME server asked to try again later: ${problem.text}` };
  const status = httpStatusOf(error);
  if (status !== undefined) return { kind: 'retry', message: `The ACME directory ${directory} answered HTTP ${status}; the request will be retried.` };
  // Anything else (storage, the DNS adapter, a bug) is not the CA's to explain: the job keeps its text for
  // operators and shows the caller its own plain sentence.
  throw error;
}

/** The HTTP status of a CA's answer that carried no problem document (acme-client rejects with axios errors). */
function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}
