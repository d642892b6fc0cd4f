import type { ServiceContext } from './service-context';

/**
 * Re-derives a certificate's list row(s) from its head and pending operation. Placeholder: the lists slice
 * of issue 9 provides the real one; every slice calls it after each change it commits.
 */
export async function refreshListing(_ctx: ServiceContext, _name: string): Promise<void> {
  // Nothing to refresh until the list index exists.
}
