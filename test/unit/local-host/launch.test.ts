import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Plain JavaScript on purpose (it runs before anything is compiled); its one decision is tested here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleBecause } = require('../../../scripts/launch.cjs') as { staleBecause(root: string): string | undefined };

describe('npm start / npm run token build only when needed', () => {
  let root: string;
  const at = (file: string, seconds: number) => {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, seconds, seconds);
  };
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'launch-'));
    at('shared/a.ts', 1_000);
    at('functions/b.ts', 1_000);
    at('scripts/local-host/c.ts', 1_000);
    at('tsconfig.json', 1_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when there is no build yet', () => {
    expect(staleBecause(root)).toBe('no build yet');
  });

  it('does not build when the build is newer than every source', () => {
    at('dist/.build-stamp', 2_000);
    expect(staleBecause(root)).toBeUndefined();
  });

  it.each([
    'shared/a.ts',
    'scripts/local-host/c.ts',
    'functions/new-route.ts',
    'functions/dashboard/page/index.html',
    'functions/dashboard/page/styles.css',
    'tsconfig.json',
    'package.json',
  ])(
    'rebuilds after %s changes',
    (file) => {
      at('dist/.build-stamp', 2_000);
      at(file, 3_000);
      expect(staleBecause(root)).toBe('sources changed since the last build');
    },
  );

  it('ignores files that are not compiled', () => {
    at('dist/.build-stamp', 2_000);
    at('shared/notes.md', 3_000);
    at('test/unit/x.test.ts', 3_000);
    expect(staleBecause(root)).toBeUndefined();
  });
});
