import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contentSecurityPolicy, resolveStaticFile } from '../../../functions/dashboard/static-files';
import { dashboardRoot } from '../../../functions/dashboard/static-root';

const root = path.resolve('/srv/app/dist/dashboard');

describe('dashboard static files', () => {
  it('serves the page for the folder itself and the built files by name, with their content types', () => {
    expect(resolveStaticFile(root, '')).toEqual({ file: path.join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveStaticFile(root, 'app.js')).toEqual({ file: path.join(root, 'app.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(resolveStaticFile(root, 'styles.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(resolveStaticFile(root, 'chunk-ABC123.js')?.file).toBe(path.join(root, 'chunk-ABC123.js'));
  });

  it.each([
    ['..', 'the parent'],
    ['../package.json', 'a file above the folder'],
    ['../../local.settings.json', 'two levels up'],
    ['a/../../x.js', 'a dot-dot in the middle'],
    ['./app.js', 'a dot segment'],
    ['..\\..\\x.js', 'backslashes'],
    ['/etc/passwd.js', 'an absolute path'],
    ['app.js\0.html', 'a NUL byte'],
    ['.build-stamp', 'a hidden file'],
    ['app.js.map', 'an extension the page is not built into'],
    ['index', 'no extension'],
    ['a//b.js', 'an empty segment'],
  ])('refuses %j (%s)', (relative) => {
    expect(resolveStaticFile(root, relative)).toBeUndefined();
  });

  it('allows the page only its own origin: scripts, styles and API calls', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(contentSecurityPolicy(['https://login.microsoftonline.com'])).toContain("connect-src 'self' https://login.microsoftonline.com");
  });

  it('finds the built page in dist/dashboard whether the functions run compiled (dist/functions) or from source, or where DASHBOARD_DIR says', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'dashboard-root-'));
    try {
      mkdirSync(path.join(repo, 'dist', 'dashboard'), { recursive: true });
      writeFileSync(path.join(repo, 'dist', 'dashboard', 'index.html'), '');
      const built = path.join(repo, 'dist', 'dashboard');
      expect(dashboardRoot({}, path.join(repo, 'dist', 'functions', 'dashboard'))).toBe(built);
      expect(dashboardRoot({}, path.join(repo, 'functions', 'dashboard'))).toBe(built);
      expect(dashboardRoot({ DASHBOARD_DIR: path.join(repo, 'elsewhere') }, path.join(repo, 'functions', 'dashboard'))).toBe(path.join(repo, 'elsewhere'));
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
