/*
 * What the ported SDK test files share: the plumbing that replaces the SDK repository's recorder and
 * credentials (test/public/utils/testAuthentication.ts, recorderUtils.ts), and ports of its test utilities
 * (utils/testClient.ts, utils/common.ts, utils/lro/restore/operation.ts and poller.ts).
 *
 * The utilities are adapted from Azure/azure-sdk-for-js, sdk/keyvault/keyvault-certificates/test/public/utils/
 * (testClient.ts at 24b97158b3cc7d8aa69fe746bdbac449d8640d80, common.ts at 267ea8cb878b58494d2aef88e8fabb513530eafa,
 * lro/restore/operation.ts at 1fa56b6f16b15a46f080bc98ad6a35ec3a262448, lro/restore/poller.ts at
 * 11d8da49e8d3d564f8abfa459d118749d047e0cc).
 *
 * Copyright (c) Microsoft Corporation. Licensed under the MIT License:
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
 * documentation files (the "Software"), to deal in the Software without restriction, including without
 * limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the
 * Software, and to permit persons to whom the Software is furnished to do so, subject to the following
 * conditions: The above copyright notice and this permission notice shall be included in all copies or
 * substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
 * OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE
 * AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
 * OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
 * WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
import type { TokenCredential } from '@azure/identity';
import { Poller, type PollOperation, type PollOperationState, type PollerLike } from '@azure/core-lro';
import { CertificateClient, type CertificatePollerOptions, type KeyVaultCertificate } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { type ServiceUnderTest, startService } from '../../helpers/service-under-test';

/**
 * The SDK tests poll every 10 s live (the service's Retry-After) and 0 in playback; against the local host a
 * short interval keeps the file quick without busy-looping.
 */
export const testPollerProperties = { intervalInMs: 50 };

/**
 * ISSUANCE_MIN_SECONDS for the files whose tests must see a Self operation `inProgress` after
 * beginCreateCertificate returns (abort, cancel, resume, getCertificateOperation), as on Key Vault, where Self
 * takes seconds. Those tests need the operation unfinished for a few requests after the 202; two seconds
 * leave a wide margin on a loaded machine while costing each awaited create about one second more than one.
 */
export const SELF_ISSUANCE_SETTINGS = { ISSUANCE_MIN_SECONDS: '2' };

/**
 * DELETION_MIN_SECONDS for the delete poller's resume test: on Key Vault a deleted certificate shows under
 * /deletedcertificates only after a moment, and that test stops the poller before it sees the deletion done.
 */
export const SLOW_DELETION_SETTINGS = { DELETION_MIN_SECONDS: '2' };

/** What the SDK repository's `authenticate(ctx)` hands each test, here backed by the local host. */
export interface Authentication {
  service: ServiceUnderTest;
  client: CertificateClient;
  secretClient: SecretClient;
  testClient: TestClient;
  keyVaultUrl: string;
  credential: TokenCredential;
  suffix: string;
}

/**
 * Starts one service for the file (the SDK tests run against one vault too) and gives a getter for the
 * clients. `settings` are the service's environment, e.g. ISSUANCE_MIN_SECONDS for the files whose tests
 * must see an operation `inProgress`, as they do on Key Vault, where even Self takes seconds.
 */
export function authenticateAgainstLocalHost(settings: Record<string, string> = {}): () => Authentication {
  let authentication: Authentication | undefined;
  beforeAll(async () => {
    const service = await startService(settings);
    const client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
    authentication = {
      service,
      client,
      secretClient: new SecretClient(service.httpsUrl, service.credential, service.sdkOptions),
      testClient: new TestClient(client),
      keyVaultUrl: service.httpsUrl,
      credential: service.credential,
      // recorderUtils' uniqueString(): random digits, so names from different runs never meet.
      suffix: Math.random().toString().slice(2, 10),
    };
  });
  afterAll(async () => {
    await authentication?.service.stop();
  });
  return () => {
    if (!authentication) throw new Error('The service under test did not start (see beforeAll)');
    return authentication;
  };
}

/** The test context vitest hands each test; the SDK tests read the test's own title from it. */
export interface TestContext {
  task: { name: string };
}

/**
 * The SDK file's `it`: registers the test under its own title and hands it vitest's context (`ctx.task.name`).
 * Nothing is skipped: none of the ported tests is about Azure itself rather than about a Key Vault server, and
 * the ones upstream runs only in record or playback mode (a purge takes long on Key Vault) run here as they are.
 * `specFile` names the upstream file, for the reader.
 */
export function portedSpec(_specFile: string) {
  function portedIt(title: string, fn: (ctx: TestContext) => Promise<void>): void {
    it(title, () => fn({ task: { name: title } }));
  }
  return { it: portedIt };
}

/** utils/testClient.ts: the SDK tests' helpers around the client. */
export class TestClient {
  constructor(public readonly client: CertificateClient) {}

  public formatName(name: string): string {
    return name.replace(/[^0-9a-zA-Z-]/g, '');
  }

  public async purgeCertificate(certificateName: string): Promise<void> {
    await this.client.purgeDeletedCertificate(certificateName);
  }

  public async flushCertificate(certificateName: string): Promise<void> {
    const poller = await this.client.beginDeleteCertificate(certificateName, testPollerProperties);
    await poller.pollUntilDone();
    await this.purgeCertificate(certificateName);
  }

  public async beginRestoreCertificateBackup(
    backup: Uint8Array,
    options: CertificatePollerOptions = {},
  ): Promise<PollerLike<PollOperationState<KeyVaultCertificate>, KeyVaultCertificate>> {
    const poller = new RestoreCertificateBackupPoller({ backup, client: this.client, intervalInMs: options.intervalInMs, resumeFrom: options.resumeFrom });
    // This will initialize the poller's operation (the recovery of the backup).
    await poller.poll();
    return poller;
  }
}

/**
 * utils/common.ts: the callback must throw the SDK's AbortError. Upstream compares the message with "The
 * operation was aborted."; the HTTP runtime installed here (@typespec/ts-http-runtime, under
 * @azure/core-rest-pipeline 1.24) appends " Request has already been canceled." when the signal is aborted
 * before the request is sent. That text is the client's, not the service's, so the message is checked by prefix.
 */
export async function assertThrowsAbortError(cb: () => Promise<unknown>): Promise<void> {
  let passed = false;
  try {
    await cb();
    passed = true;
  } catch (e: unknown) {
    const error = e as Error;
    expect(error.name).toEqual('AbortError');
    expect(error.message).toMatch(/^The operation was aborted\./);
  }
  if (passed) {
    throw new Error('Expected cb to throw an AbortError');
  }
}

/** The SDK's `src/utils.ts` helpers the merge-and-import tests use (not exported by the package). */
export const base64ToUint8Array = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'base64'));
export const stringToUint8Array = (value: string): Uint8Array => new TextEncoder().encode(value);

/** An SDK error as the tests read it. */
export interface ThrownRestError {
  name?: string;
  message: string;
  code?: string;
  statusCode?: number;
}

// utils/lro/restore: a poller that retries restoreCertificateBackup until it succeeds (a restore right after a
// purge may have to wait on Key Vault).

interface RestoreCertificateBackupPollOperationState extends PollOperationState<KeyVaultCertificate> {
  backup: Uint8Array;
  client: CertificateClient;
}

type RestoreCertificateBackupPollOperation = PollOperation<RestoreCertificateBackupPollOperationState, KeyVaultCertificate>;

function makeRestoreCertificateBackupPollOperation(state: RestoreCertificateBackupPollOperationState): RestoreCertificateBackupPollOperation {
  return {
    state: { ...state },
    async update(this: RestoreCertificateBackupPollOperation, options = {}) {
      const current = this.state;
      if (!current.isStarted) current.isStarted = true;
      try {
        current.result = await current.client.restoreCertificateBackup(current.backup, { abortSignal: options.abortSignal });
        current.isCompleted = true;
      } catch {
        // Nothing to do here: the next poll tries again.
      }
      return makeRestoreCertificateBackupPollOperation(current);
    },
    async cancel(): Promise<never> {
      throw new Error('Canceling the restoration of a certificate is not supported.');
    },
    toString(this: RestoreCertificateBackupPollOperation) {
      return JSON.stringify({ state: this.state });
    },
  };
}

class RestoreCertificateBackupPoller extends Poller<RestoreCertificateBackupPollOperationState, KeyVaultCertificate> {
  public intervalInMs: number;

  constructor(options: { client: CertificateClient; backup: Uint8Array; intervalInMs?: number; resumeFrom?: string }) {
    const { client, backup, intervalInMs = 2000, resumeFrom } = options;
    const state = resumeFrom ? (JSON.parse(resumeFrom) as { state: RestoreCertificateBackupPollOperationState }).state : undefined;
    super(makeRestoreCertificateBackupPollOperation({ ...state, backup, client }));
    this.intervalInMs = intervalInMs;
  }

  override async delay(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.intervalInMs));
  }
}
