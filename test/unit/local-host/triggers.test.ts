import { AppSettingError, resolveAppSettings } from '../../../scripts/local-host/app-settings';
import { MessageDecodingError, decodeQueueMessage } from '../../../scripts/local-host/queue-listener';
import { parseSchedule } from '../../../scripts/local-host/timer-scheduler';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('queue message decoding', () => {
  it('parses base64 JSON into a value, as the Node worker does', () => {
    expect(decodeQueueMessage(base64('{"name":"c1"}'), 'base64')).toEqual({ name: 'c1' });
    expect(decodeQueueMessage(base64('42'), 'base64')).toBe(42);
  });

  it('passes text that is not JSON through as a string', () => {
    expect(decodeQueueMessage(base64('hello world'), 'base64')).toBe('hello world');
    expect(decodeQueueMessage('{"plain":true}', 'none')).toEqual({ plain: true });
  });

  it('fails a message that is not base64 instead of handing over garbage', () => {
    expect(() => decodeQueueMessage('not base64!', 'base64')).toThrow(MessageDecodingError);
    expect(() => decodeQueueMessage('abc', 'base64')).toThrow(MessageDecodingError);
  });
});

describe('%SETTING% resolution', () => {
  it('replaces every reference from the environment', () => {
    expect(resolveAppSettings('%A%-%B%', { A: 'x', B: 'y' }, 'queueName')).toBe('x-y');
    expect(resolveAppSettings('plain', {}, 'queueName')).toBe('plain');
  });

  it('fails on an unset setting, naming it', () => {
    expect(() => resolveAppSettings('%MISSING%', {}, 'schedule')).toThrow(AppSettingError);
    expect(() => resolveAppSettings('%MISSING%', {}, 'schedule')).toThrow(/MISSING/);
  });
});

describe('timer schedules', () => {
  it('reads 6-field NCRONTAB with seconds first', () => {
    const job = parseSchedule('30 */5 * * * *', 'UTC', 'f');
    expect(job.nextRun(new Date('2025-01-01T00:00:00Z'))?.toISOString()).toBe('2025-01-01T00:00:30.000Z');
    job.stop();
  });

  it('requires both day fields to match when both are restricted, like NCrontab', () => {
    // Friday the 13th: classic cron would fire on every Friday and every 13th.
    const job = parseSchedule('0 0 0 13 * 5', 'UTC', 'f');
    expect(job.nextRun(new Date('2025-01-01T00:00:00Z'))?.toISOString()).toBe('2025-06-13T00:00:00.000Z');
    job.stop();
  });

  it('rejects a 5-field expression, as the host does', () => {
    expect(() => parseSchedule('*/5 * * * *', 'UTC', 'statusSweep')).toThrow(/statusSweep.*6-field/);
    expect(() => parseSchedule('0 0 25 * * *', 'UTC', 'f')).toThrow(/invalid schedule/);
  });
});
