import { randomBytes } from 'node:crypto';
import { ConfigError, SETTINGS, parseConfig } from '../../shared/config';

/** The least a local app needs; each test adds the setting it is about. */
const base = {
  [SETTINGS.storageConnectionString]: 'UseDevelopmentStorage=true',
  [SETTINGS.keyEncryptionKey]: randomBytes(32).toString('base64'),
  [SETTINGS.authMode]: 'local',
};

function problemsWith(env: Record<string, string>): readonly string[] {
  try {
    parseConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(`${SETTINGS.issuanceMinSeconds}`, () => {
  it('is off unless set: issuance takes no minimum time', () => {
    expect(parseConfig(base).issuanceMinSeconds).toBe(0);
    expect(parseConfig({ ...base, [SETTINGS.issuanceMinSeconds]: ' ' }).issuanceMinSeconds).toBe(0);
  });

  it('takes whole seconds', () => {
    expect(parseConfig({ ...base, [SETTINGS.issuanceMinSeconds]: '5' }).issuanceMinSeconds).toBe(5);
    expect(parseConfig({ ...base, [SETTINGS.issuanceMinSeconds]: '0' }).issuanceMinSeconds).toBe(0);
  });

  it('refuses what is not a whole number of seconds, with a message naming the setting', () => {
    expect(problemsWith({ [SETTINGS.issuanceMinSeconds]: 'soon' })).toEqual(['ISSUANCE_MIN_SECONDS must be a number of seconds']);
    expect(problemsWith({ [SETTINGS.issuanceMinSeconds]: '1.5' })).toEqual(['ISSUANCE_MIN_SECONDS must be a whole number of seconds']);
    expect(problemsWith({ [SETTINGS.issuanceMinSeconds]: '-1' })).toEqual(['ISSUANCE_MIN_SECONDS must be 0 (off) or more']);
    expect(problemsWith({ [SETTINGS.issuanceMinSeconds]: '604801' })).toEqual(['ISSUANCE_MIN_SECONDS must be at most 604800 (7 days)']);
  });

  it('takes DELETION_MIN_SECONDS as whole seconds from 0 (the default) to an hour', () => {
    expect(parseConfig(base).deletionMinSeconds).toBe(0);
    expect(parseConfig({ ...base, [SETTINGS.deletionMinSeconds]: '2' }).deletionMinSeconds).toBe(2);
    expect(problemsWith({ [SETTINGS.deletionMinSeconds]: '1.5' })).toEqual(['DELETION_MIN_SECONDS must be a whole number of seconds']);
    expect(problemsWith({ [SETTINGS.deletionMinSeconds]: '3601' })).toEqual(['DELETION_MIN_SECONDS must be at most 3600 (an hour)']);
  });

  it('must leave time to issue before operations time out', () => {
    expect(problemsWith({ [SETTINGS.issuanceMinSeconds]: '600', [SETTINGS.operationMaxAgeSeconds]: '600' })).toEqual([
      'ISSUANCE_MIN_SECONDS (600) must be less than OPERATION_MAX_AGE_SECONDS (600)',
    ]);
    expect(problemsWith({ [SETTINGS.issuanceMinSeconds]: '599', [SETTINGS.operationMaxAgeSeconds]: '600' })).toEqual([]);
  });
});

describe(`${SETTINGS.softDeleteRetentionDays}`, () => {
  it("is Key Vault's default of 90 days unless set", () => {
    expect(parseConfig(base).softDeleteRetentionDays).toBe(90);
    expect(parseConfig({ ...base, [SETTINGS.softDeleteRetentionDays]: ' ' }).softDeleteRetentionDays).toBe(90);
  });

  it('takes whole days from 7 to 90, as Key Vault does', () => {
    expect(parseConfig({ ...base, [SETTINGS.softDeleteRetentionDays]: '7' }).softDeleteRetentionDays).toBe(7);
    expect(parseConfig({ ...base, [SETTINGS.softDeleteRetentionDays]: '90' }).softDeleteRetentionDays).toBe(90);
  });

  it('refuses anything else, with a message naming the setting', () => {
    expect(problemsWith({ [SETTINGS.softDeleteRetentionDays]: 'long' })).toEqual(['SOFT_DELETE_RETENTION_DAYS must be a number of days']);
    expect(problemsWith({ [SETTINGS.softDeleteRetentionDays]: '7.5' })).toEqual(['SOFT_DELETE_RETENTION_DAYS must be a whole number of days']);
    expect(problemsWith({ [SETTINGS.softDeleteRetentionDays]: '6' })).toEqual(['SOFT_DELETE_RETENTION_DAYS must be at least 7 (days), as on Key Vault']);
    expect(problemsWith({ [SETTINGS.softDeleteRetentionDays]: '91' })).toEqual(['SOFT_DELETE_RETENTION_DAYS must be at most 90 (days), as on Key Vault']);
  });
});

describe('ISSUER_RETRY_*', () => {
  it('defaults to 8 attempts, delays from 5 s doubling up to 600 s', () => {
    expect(parseConfig(base).issuerRetry).toEqual({ maxAttempts: 8, baseDelaySeconds: 5, maxDelaySeconds: 600 });
  });

  it('takes whole numbers within bounds', () => {
    const env = { [SETTINGS.issuerRetryMaxAttempts]: '3', [SETTINGS.issuerRetryBaseSeconds]: '1', [SETTINGS.issuerRetryMaxDelaySeconds]: '30' };
    expect(parseConfig({ ...base, ...env }).issuerRetry).toEqual({ maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 30 });
  });

  it('refuses what cannot bound a retry, with a message naming the setting', () => {
    expect(problemsWith({ [SETTINGS.issuerRetryMaxAttempts]: '0' })).toEqual(['ISSUER_RETRY_MAX_ATTEMPTS must be at least 1']);
    expect(problemsWith({ [SETTINGS.issuerRetryMaxAttempts]: '101' })).toEqual(['ISSUER_RETRY_MAX_ATTEMPTS must be at most 100']);
    expect(problemsWith({ [SETTINGS.issuerRetryMaxAttempts]: 'many' })).toEqual(['ISSUER_RETRY_MAX_ATTEMPTS must be a number']);
    expect(problemsWith({ [SETTINGS.issuerRetryBaseSeconds]: '0.5' })).toEqual(['ISSUER_RETRY_BASE_SECONDS must be a whole number of seconds']);
    expect(problemsWith({ [SETTINGS.issuerRetryMaxDelaySeconds]: '604801' })).toEqual([
      'ISSUER_RETRY_MAX_DELAY_SECONDS must be at most 604800 (7 days, the longest a queue message can wait)',
    ]);
    expect(problemsWith({ [SETTINGS.issuerRetryBaseSeconds]: '60', [SETTINGS.issuerRetryMaxDelaySeconds]: '30' })).toEqual([
      'ISSUER_RETRY_BASE_SECONDS (60) must not exceed ISSUER_RETRY_MAX_DELAY_SECONDS (30)',
    ]);
  });
});

describe(`${SETTINGS.issuerJobLeaseSeconds}`, () => {
  it('holds an operation 120 s per job run unless set', () => {
    expect(parseConfig(base).issuerJobLeaseSeconds).toBe(120);
    expect(parseConfig({ ...base, [SETTINGS.issuerJobLeaseSeconds]: '30' }).issuerJobLeaseSeconds).toBe(30);
  });

  it('refuses a lease a provider call could outlast, or one that would hold a dead run for hours', () => {
    expect(problemsWith({ [SETTINGS.issuerJobLeaseSeconds]: '5' })).toEqual([
      'ISSUER_JOB_LEASE_SECONDS must be at least 10 (seconds): a provider call must end within it',
    ]);
    expect(problemsWith({ [SETTINGS.issuerJobLeaseSeconds]: '3601' })).toEqual(['ISSUER_JOB_LEASE_SECONDS must be at most 3600 (an hour)']);
    expect(problemsWith({ [SETTINGS.issuerJobLeaseSeconds]: '60.5' })).toEqual(['ISSUER_JOB_LEASE_SECONDS must be a whole number of seconds']);
    expect(problemsWith({ [SETTINGS.issuerJobLeaseSeconds]: 'long' })).toEqual(['ISSUER_JOB_LEASE_SECONDS must be a number of seconds']);
  });
});

describe(`${SETTINGS.publicBaseUrl}`, () => {
  it('is the vault URL ids are built on, as an origin', () => {
    expect(parseConfig({ ...base, [SETTINGS.publicBaseUrl]: 'https://certs.contoso.com/' }).publicBaseUrl).toBe('https://certs.contoso.com');
    expect(parseConfig({ ...base, [SETTINGS.publicBaseUrl]: 'https://certs.contoso.com:8443' }).publicBaseUrl).toBe('https://certs.contoso.com:8443');
  });

  it('wins over the Function App host name, which is the default in Azure (over https)', () => {
    expect(parseConfig({ ...base, [SETTINGS.websiteHostname]: 'func-abc.azurewebsites.net' }).publicBaseUrl).toBe('https://func-abc.azurewebsites.net');
    expect(
      parseConfig({ ...base, [SETTINGS.websiteHostname]: 'func-abc.azurewebsites.net', [SETTINGS.publicBaseUrl]: 'https://certs.contoso.com' }).publicBaseUrl,
    ).toBe('https://certs.contoso.com');
  });

  it('is absent when neither is set: ids then use the origin of the server the request reached', () => {
    expect(parseConfig(base).publicBaseUrl).toBeUndefined();
  });

  it.each(['certs.contoso.com', 'https://certs.contoso.com/vault', 'https://certs.contoso.com/?x=1', 'ftp://certs.contoso.com', 'https://u:p@certs.contoso.com'])(
    'refuses %s, which is not an origin',
    (value) => {
      expect(problemsWith({ [SETTINGS.publicBaseUrl]: value })).toEqual([expect.stringContaining(`${SETTINGS.publicBaseUrl} must be an origin`)]);
    },
  );
});

describe(`${SETTINGS.clockOffsetSeconds}`, () => {
  it('leaves the clock alone unless set', () => {
    expect(parseConfig(base).clockOffsetSeconds).toBe(0);
    expect(parseConfig({ ...base, [SETTINGS.clockOffsetSeconds]: ' ' }).clockOffsetSeconds).toBe(0);
  });

  it('moves the clock by whole seconds either way outside Azure', () => {
    expect(parseConfig({ ...base, [SETTINGS.clockOffsetSeconds]: '86400' }).clockOffsetSeconds).toBe(86400);
    expect(parseConfig({ ...base, [SETTINGS.clockOffsetSeconds]: '-60' }).clockOffsetSeconds).toBe(-60);
  });

  it('refuses what is not a whole number of seconds within a century', () => {
    expect(problemsWith({ [SETTINGS.clockOffsetSeconds]: 'tomorrow' })).toEqual(['CLOCK_OFFSET_SECONDS must be a number of seconds']);
    expect(problemsWith({ [SETTINGS.clockOffsetSeconds]: '1.5' })).toEqual(['CLOCK_OFFSET_SECONDS must be a whole number of seconds']);
    expect(problemsWith({ [SETTINGS.clockOffsetSeconds]: '3153600001' })).toEqual(['CLOCK_OFFSET_SECONDS must be at most 3153600000 (a century ahead)']);
  });

  it.each(['WEBSITE_SITE_NAME', 'WEBSITE_INSTANCE_ID'])('stops the app when %s says it runs in Azure, even at 0', (marker) => {
    const refusal = ['CLOCK_OFFSET_SECONDS is for tests outside Azure; remove it from this deployment\'s app settings'];
    expect(problemsWith({ [marker]: 'func-certs', [SETTINGS.clockOffsetSeconds]: '86400' })).toEqual(refusal);
    expect(problemsWith({ [marker]: 'func-certs', [SETTINGS.clockOffsetSeconds]: '0' })).toEqual(refusal);
    // The same deployment without the setting starts.
    expect(problemsWith({ [marker]: 'func-certs' })).toEqual([]);
  });
});

describe('event settings', () => {
  const secret = 'x'.repeat(32);

  it('has no webhooks and no topic unless set, and retries deliveries for about a day', () => {
    expect(parseConfig(base).events).toEqual({ webhooks: [], deliveryRetry: { maxAttempts: 30, baseDelaySeconds: 10, maxDelaySeconds: 3600 } });
  });

  it('reads numbered webhooks, each URL with its own secret, gaps allowed', () => {
    const events = parseConfig({
      ...base,
      EVENT_WEBHOOK_1_URL: 'https://hooks.example/a',
      EVENT_WEBHOOK_1_SECRET: secret,
      EVENT_WEBHOOK_3_URL: 'http://127.0.0.1:8080/hook',
      EVENT_WEBHOOK_3_SECRET: `${secret}3`,
      [SETTINGS.eventGridTopicEndpoint]: 'https://topic.westeurope-1.eventgrid.azure.net/api/events',
    }).events;
    expect(events.webhooks).toEqual([
      { name: '1', url: 'https://hooks.example/a', secret },
      { name: '3', url: 'http://127.0.0.1:8080/hook', secret: `${secret}3` },
    ]);
    expect(events.eventGridTopicEndpoint).toBe('https://topic.westeurope-1.eventgrid.azure.net/api/events');
  });

  it('refuses a webhook without a secret, a short secret, a secret without a URL, plain http off loopback, and a topic that is not an endpoint', () => {
    expect(problemsWith({ EVENT_WEBHOOK_1_URL: 'https://hooks.example/a' })).toEqual([expect.stringContaining('EVENT_WEBHOOK_1_SECRET must be set')]);
    expect(problemsWith({ EVENT_WEBHOOK_1_URL: 'https://hooks.example/a', EVENT_WEBHOOK_1_SECRET: 'short' })).toEqual([expect.stringContaining('at least 16')]);
    expect(problemsWith({ EVENT_WEBHOOK_2_SECRET: secret })).toEqual(['EVENT_WEBHOOK_2_SECRET is set but EVENT_WEBHOOK_2_URL is not']);
    expect(problemsWith({ EVENT_WEBHOOK_1_URL: 'http://hooks.example/a', EVENT_WEBHOOK_1_SECRET: secret })).toEqual([expect.stringContaining('must be an https URL')]);
    expect(problemsWith({ [SETTINGS.eventGridTopicEndpoint]: 'https://topic.example/' })).toEqual([expect.stringContaining('Event Grid topic endpoint')]);
  });

  it('takes the delivery retry from EVENT_DELIVERY_*, base no larger than the maximum', () => {
    expect(parseConfig({ ...base, EVENT_DELIVERY_MAX_ATTEMPTS: '5', EVENT_DELIVERY_RETRY_BASE_SECONDS: '1', EVENT_DELIVERY_RETRY_MAX_DELAY_SECONDS: '2' }).events.deliveryRetry).toEqual({
      maxAttempts: 5,
      baseDelaySeconds: 1,
      maxDelaySeconds: 2,
    });
    expect(problemsWith({ EVENT_DELIVERY_RETRY_BASE_SECONDS: '100', EVENT_DELIVERY_RETRY_MAX_DELAY_SECONDS: '10' })).toEqual([
      'EVENT_DELIVERY_RETRY_BASE_SECONDS (100) must not exceed EVENT_DELIVERY_RETRY_MAX_DELAY_SECONDS (10)',
    ]);
  });
});
