import { type Api, ApiError, mapLimited } from './api';
import { type CertificateRow, certificateRowOf, certificateRowOfItem } from './model/certificate-row';
import { type PendingRow, needsOperationRead, pendingRowOf } from './model/pending';
import { type CertificateBundle, type CertificateItem, type IssuerItem, type LifetimeWire, type OperationWire, nameOf } from './model/wire';

export interface DashboardData {
  rows: CertificateRow[];
  bundles: Map<string, CertificateBundle>;
  pending: PendingRow[];
  issuers: IssuerItem[];
  /** What could not be read, in Key Vault's words, one line per object. */
  problems: string[];
  loadedAt: number;
  /** False while each certificate's own reads are under way: rows then hold what the list said only. */
  complete: boolean;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const encode = encodeURIComponent;

/**
 * Everything the views show, read through the public API: the list (pending ones included), then per
 * certificate its latest bundle (policy inside), its lifetime (once issued), and its pending operation when it
 * may be unfinished (needsOperationRead). A few requests at a time, so a large vault does not flood the app.
 * `onList` gets what the list alone says, before the per-certificate reads: 200 issued certificates take
 * some 400 requests, seconds on a busy host, and the table need not wait for them.
 */
export async function loadDashboard(api: Api, onList?: (partial: DashboardData) => void): Promise<DashboardData> {
  const problems: string[] = [];
  const [items, issuers] = await Promise.all([
    api.list<CertificateItem>('/certificates?maxresults=25&includePending=true'),
    api.list<IssuerItem>('/certificates/issuers').catch((error: unknown) => {
      problems.push(`Issuers: ${message(error)}`);
      return [] as IssuerItem[];
    }),
  ]);
  const bundles = new Map<string, CertificateBundle>();
  onList?.({ rows: items.map(certificateRowOfItem), bundles, pending: [], issuers, problems: [...problems], loadedAt: Date.now(), complete: false });
  const loaded = await mapLimited(items, 4, async (item) => {
    const name = nameOf(item.id);
    try {
      const [bundle, lifetime] = await Promise.all([
        api.get<CertificateBundle>(`/certificates/${encode(name)}/`),
        // Nothing issued yet, nothing to renew: its lifetime has nothing to say.
        item.x5t
          ? api.get<LifetimeWire>(`/certificates/${encode(name)}/lifetime`).catch((error: unknown) => {
              if (error instanceof ApiError && error.status === 404) return undefined;
              throw error;
            })
          : undefined,
      ]);
      bundles.set(name, bundle);
      let pending: PendingRow | undefined;
      if (needsOperationRead(bundle, lifetime)) {
        const op = await api.get<OperationWire>(`/certificates/${encode(name)}/pending`).catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return undefined;
          throw error;
        });
        const created = !bundle.x5t && bundle.attributes?.created !== undefined ? bundle.attributes.created * 1000 : undefined;
        // Key Vault keeps a completed request readable; it is no longer pending work.
        if (op && op.status !== 'completed') pending = pendingRowOf(name, op, created);
      }
      return { row: { ...certificateRowOf(bundle, lifetime), hasPending: pending !== undefined }, pending };
    } catch (error) {
      problems.push(`${name}: ${message(error)}`);
      return undefined;
    }
  });
  return {
    rows: loaded.flatMap((entry) => (entry ? [entry.row] : [])),
    bundles,
    pending: loaded.flatMap((entry) => (entry?.pending ? [entry.pending] : [])),
    issuers,
    problems,
    loadedAt: Date.now(),
    complete: true,
  };
}
