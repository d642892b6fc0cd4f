import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the built dashboard (index.html, app.js, styles.css: `npm run build`, scripts/build-dashboard.cjs)
 * sits. Compiled, this module is dist/functions/dashboard/static-root.js and the page dist/dashboard; run from
 * source (jest), it is functions/dashboard/static-root.ts and the page, once built, is in dist/dashboard too.
 * DASHBOARD_DIR names another folder (the browser test builds into a temporary one).
 */
export const DASHBOARD_DIR_SETTING = 'DASHBOARD_DIR';

export function dashboardRoot(env: NodeJS.ProcessEnv = process.env, here: string = __dirname): string {
  const configured = env[DASHBOARD_DIR_SETTING]?.trim();
  if (configured) return path.resolve(configured);
  const candidates = [path.resolve(here, '..', '..', 'dashboard'), path.resolve(here, '..', '..', 'dist', 'dashboard')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? (candidates[0] as string);
}
