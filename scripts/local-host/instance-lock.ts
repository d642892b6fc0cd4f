import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * One `npm start` per data folder: two Azurite processes writing the same database files would corrupt them.
 * The lock is a file holding the owner's pid; a lock left by a process that no longer runs is taken over.
 */
/** Someone else holds the data folder: the user's to resolve, so it is reported without a stack. */
export class InstanceLockError extends Error {
  override readonly name = 'InstanceLockError';
}

export function acquireInstanceLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      const release = () => rmSync(file, { force: true });
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new InstanceLockError(`Another local host (pid ${owner}) is using this data folder; stop it first (lock: ${file}).`);
    }
    rmSync(file, { force: true });
  }
  throw new Error(`Cannot take the lock ${file}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
