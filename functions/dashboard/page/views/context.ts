import type { Api } from '../api';
import type { DashboardData } from '../data';

/** What every view gets from main.ts. */
export interface ViewContext {
  api: Api;
  data: DashboardData;
  /** The token may change certificates (officer); otherwise no action button is drawn. */
  canAct: boolean;
  now: number;
  refresh(): Promise<void>;
  showDetail(name: string): void;
  /** Puts Key Vault's message (or any error's) in the page's alert area. */
  showError(error: unknown): void;
  /** A short status message for screen readers and eyes alike. */
  notify(text: string): void;
}
