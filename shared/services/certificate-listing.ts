import type { ServiceContext } from './service-context';

/**
 * Re-derives a certificate's list row(s) from its head and pending operation. Placeholder: the lists slice
 * provides the real one; every change that commits calls it, so the list index follows the head.
 */
export async function refreshListing(_ctx: ServiceContext, _name: string): Promise<void> {}
