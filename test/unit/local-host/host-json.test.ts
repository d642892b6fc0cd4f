import { parseHostJson, parseTimeSpan, withAppSettingOverrides } from '../../../scripts/local-host/host-json';

describe('host.json', () => {
  it.each([
    ['00:00:05', 5_000],
    ['00:01:00', 60_000],
    ['01:00:00', 3_600_000],
    ['00:00:00.500', 500],
    ['1.00:00:00', 86_400_000],
  ])('reads the TimeSpan %s', (text, ms) => {
    expect(parseTimeSpan(text)).toBe(ms);
  });

  it('rejects a value that is not a TimeSpan', () => {
    expect(() => parseTimeSpan('5s')).toThrow(/not a TimeSpan/);
    expect(() => parseHostJson({ extensions: { queues: { visibilityTimeout: '5s' } } })).toThrow(/extensions\.queues\.visibilityTimeout/);
  });

  it("applies the Functions host's defaults", () => {
    expect(parseHostJson({ version: '2.0' })).toEqual({
      routePrefix: 'api',
      queues: {
        batchSize: 16,
        newBatchThreshold: 8,
        maxDequeueCount: 5,
        visibilityTimeoutMs: 0,
        maxPollingIntervalMs: 60_000,
        messageEncoding: 'base64',
      },
    });
  });

  it("reads this app's settings", () => {
    const settings = parseHostJson({
      extensions: {
        http: { routePrefix: '' },
        queues: { batchSize: 16, newBatchThreshold: 8, maxDequeueCount: 5, visibilityTimeout: '00:00:05', maxPollingInterval: '00:00:02', messageEncoding: 'base64' },
      },
    });
    expect(settings.routePrefix).toBe('');
    expect(settings.queues).toMatchObject({ visibilityTimeoutMs: 5_000, maxPollingIntervalMs: 2_000 });
  });

  it('keeps the fetch threshold below the batch size', () => {
    expect(parseHostJson({ extensions: { queues: { batchSize: 1 } } }).queues.newBatchThreshold).toBe(0);
    expect(parseHostJson({ extensions: { queues: { batchSize: 4, newBatchThreshold: 10 } } }).queues.newBatchThreshold).toBe(3);
  });

  it('takes AzureFunctionsJobHost__ app settings over host.json values, as the Functions host does', () => {
    const json = { version: '2.0', extensions: { queues: { maxPollingInterval: '00:00:02', batchSize: 16 } } };
    const env = {
      AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.250',
      AZUREFUNCTIONSJOBHOST__EXTENSIONS__QUEUES__BATCHSIZE: '4',
      AzureFunctionsJobHost__extensions__http__routePrefix: 'kv',
      UNRELATED: 'x',
    };
    expect(parseHostJson(withAppSettingOverrides(json, env))).toMatchObject({
      routePrefix: 'kv',
      queues: { maxPollingIntervalMs: 250, batchSize: 4 },
    });
    // The file's own value is untouched.
    expect(json.extensions.queues.maxPollingInterval).toBe('00:00:02');
    // A bad override is reported as host.json's own would be.
    expect(() => parseHostJson(withAppSettingOverrides(json, { AzureFunctionsJobHost__extensions__queues__batchSize: '99' }))).toThrow(/batchSize/);
  });
});
