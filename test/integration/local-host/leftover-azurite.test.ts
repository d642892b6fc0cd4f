import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { reattachAzurite, startAzurite, stopLeftoverAzurite } from '../../../scripts/local-host/azurite';
import { canConnect } from '../../../scripts/local-host/ports';

function azuriteCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** A host killed with kill -9 leaves its emulators running: the next start must find and stop them gently. */
describe('Azurite left behind by a host that died', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'leftover-azurite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records the running emulators, and the next start stops them gracefully (SIGINT) and says so', async () => {
    const processFile = path.join(dir, 'azurite-processes.json');
    const azurite = await startAzurite({ location: path.join(dir, 'data'), processFile });
    const recorded = JSON.parse(readFileSync(processFile, 'utf8')) as { pid: number; service: string; port: number }[];
    expect(recorded.map((p) => p.service).sort()).toEqual(['queue', 'table']);
    for (const p of recorded) expect(await canConnect(p.port)).toBe(true);

    // The "next start": the first host never called stop().
    const lines: string[] = [];
    await stopLeftoverAzurite(processFile, (line) => lines.push(line));
    // Stopped: nothing listens, and the pid is no Azurite any more (here a zombie until this process reaps it;
    // a real leftover was re-parented and is reaped by init).
    for (const p of recorded) {
      expect(await canConnect(p.port)).toBe(false);
      expect(azuriteCommandLine(p.pid)).not.toContain('azurite');
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/left running by a previous host on this data folder; stopping it gracefully/);
    expect(existsSync(processFile)).toBe(false);
    await azurite.stop();
  });

  it('never signals a process that is not Azurite (a pid reused since)', async () => {
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    const processFile = path.join(dir, 'azurite-processes.json');
    writeFileSync(processFile, JSON.stringify([{ pid: stranger.pid, service: 'queue', port: 1 }]));
    const lines: string[] = [];
    await stopLeftoverAzurite(processFile, (line) => lines.push(line));
    expect(lines).toEqual([]);
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
    stranger.kill();
  });

  it('a write acknowledged just before a graceful stop is there after a restart (Azurite saves on stop, not only every 5 s)', async () => {
    const location = path.join(dir, 'data');
    const first = await startAzurite({ location });
    const table = () => TableClient.fromConnectionString(first.connectionString, 'Durable', { allowInsecureConnection: true });
    await table().createTable();
    await table().createEntity({ partitionKey: 'p', rowKey: 'r', value: 'kept' });
    await first.stop();
    const second = await startAzurite({ location });
    try {
      const again = TableClient.fromConnectionString(second.connectionString, 'Durable', { allowInsecureConnection: true });
      expect((await again.getEntity<{ value: string }>('p', 'r')).value).toBe('kept');
    } finally {
      await second.stop();
    }
  });

  it('a detached emulator is reattached only on its own data folder, and a reattached one stops gracefully', async () => {
    const processFile = path.join(dir, 'azurite-processes.json');
    const location = path.join(dir, 'data');
    const started = await startAzurite({ location, processFile, detached: true });
    const pids = started.pids ?? [];
    try {
      expect(await reattachAzurite({ processFile, location: path.join(dir, 'other') })).toBeUndefined();
      const reattached = await reattachAzurite({ processFile, location });
      expect(reattached?.connectionString).toBe(started.connectionString);
      await reattached?.stop();
      for (const pid of pids) expect(azuriteCommandLine(pid)).not.toContain('azurite');
      expect(existsSync(processFile)).toBe(false);
      // Nothing left to take over.
      expect(await reattachAzurite({ processFile, location })).toBeUndefined();
    } finally {
      await started.stop();
    }
  });

  it('a clean stop leaves nothing for the next start to find', async () => {
    const processFile = path.join(dir, 'azurite-processes.json');
    const azurite = await startAzurite({ processFile });
    await azurite.stop();
    expect(existsSync(processFile)).toBe(false);
  });
});
