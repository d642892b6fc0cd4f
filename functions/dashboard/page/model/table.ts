import type { CertificateRow } from './certificate-row';

export type SortColumn = 'name' | 'issuer' | 'subject' | 'sans' | 'keyType' | 'expires' | 'enabled' | 'nextDue';
export type SortDirection = 'ascending' | 'descending';
export interface SortOrder {
  column: SortColumn;
  direction: SortDirection;
}

/** Every word typed must appear (case-insensitively) in the name, issuer, subject, a SAN or the key type. */
export function filterRows(rows: readonly CertificateRow[], text: string): CertificateRow[] {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const haystack = [row.name, row.issuer, row.subject, row.keyType, ...row.sans].join('\n').toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

function sortKey(row: CertificateRow, column: SortColumn): string | number | undefined {
  switch (column) {
    case 'expires':
      return row.expires;
    case 'nextDue':
      return row.nextAction?.dueAt ?? row.nextAction?.triggerAt;
    case 'enabled':
      return row.enabled ? 1 : 0;
    case 'sans':
      return row.sans.join(', ').toLowerCase();
    default:
      return row[column].toLowerCase();
  }
}

/** A stable sort; rows without a value (no expiry yet, nothing due) go last in either direction. */
export function sortRows(rows: readonly CertificateRow[], order: SortOrder): CertificateRow[] {
  const sign = order.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, key: sortKey(row, order.column) }))
    .sort((a, b) => {
      if (a.key === undefined || b.key === undefined) {
        if (a.key === b.key) return a.index - b.index;
        return a.key === undefined ? 1 : -1;
      }
      const compared = typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : String(a.key).localeCompare(String(b.key));
      return compared * sign || a.row.name.localeCompare(b.row.name) || a.index - b.index;
    })
    .map(({ row }) => row);
}

/** Clicking a column sorts by it ascending; clicking it again reverses. */
export function nextSortOrder(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column !== column) return { column, direction: 'ascending' };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}
