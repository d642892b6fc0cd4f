import type { ServiceContext } from './service-context';

/**
 * Placeholder: the lists slice provides the real function, which re-derives the certificate's list row(s)
 * from its head and pending operation. Every change that commits calls it, so list items follow the change.
 */
export async function refreshListing(_ctx: ServiceContext, _name: string): Promise<void> {}
