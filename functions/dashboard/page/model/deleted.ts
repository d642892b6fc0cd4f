import { nameOf } from './wire';
import type { Attributes } from './wire';

/** A soft-deleted certificate as GET /deletedcertificates lists it. Unix seconds on the wire. */
export interface DeletedItemWire {
  id?: string;
  recoveryId?: string;
  deletedDate?: number;
  scheduledPurgeDate?: number;
  attributes?: Attributes & { recoveryLevel?: string; recoverableDays?: number };
}

/** One line of the deleted-certificates view. Times in milliseconds. */
export interface DeletedRow {
  name: string;
  deletedAt?: number;
  purgeAt?: number;
  recoveryLevel: string;
  /** The vault allows purging before the scheduled date (its recovery level says `Purgeable`). */
  purgeable: boolean;
}

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

export function deletedRowOf(item: DeletedItemWire): DeletedRow {
  const level = item.attributes?.recoveryLevel ?? '';
  const row: DeletedRow = { name: nameOf(item.recoveryId ?? item.id ?? ''), recoveryLevel: level, purgeable: /Purgeable/.test(level) };
  const deletedAt = ms(item.deletedDate);
  const purgeAt = ms(item.scheduledPurgeDate);
  if (deletedAt !== undefined) row.deletedAt = deletedAt;
  if (purgeAt !== undefined) row.purgeAt = purgeAt;
  return row;
}
