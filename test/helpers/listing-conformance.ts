import type { CertificateListing } from '../../shared/domain/certificate-listing';
import type { CertificateListingRepository } from '../../shared/storage/repositories';
import { WriteConflictError } from '../../shared/storage/storage-errors';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

export function listingFixture(name: string, overrides: Partial<CertificateListing> = {}): CertificateListing {
  return {
    name,
    issued: true,
    version: '0'.repeat(31) + '1',
    x5t: 'eDV0',
    enabled: true,
    notBefore: NOW,
    expires: NOW + 86_400,
    created: NOW,
    updated: NOW,
    tags: { purpose: 'conformance' },
    ...overrides,
  };
}

const deletion = { deletedDate: NOW + 10, scheduledPurgeDate: NOW + 10 + 90 * 86_400 };

/** Every page of one list, following continueAfter; the names in order, and how many pages it took. */
async function walk(repo: CertificateListingRepository, list: 'live' | 'deleted', limit: number, includePending: boolean) {
  const names: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const page = await repo.page(list, { limit, includePending, ...(after !== undefined ? { after } : {}) });
    pages += 1;
    expect(page.listings.length).toBeLessThanOrEqual(limit);
    names.push(...page.listings.map((l) => l.name));
    after = page.continueAfter;
  } while (after !== undefined && pages < 100);
  return { names, pages };
}

/**
 * The CertificateIndex contract (docs/storage-design.md), run against the table adapter on Azurite and the
 * in-memory twin, so paging and refresh tests on the twin mean the same on Azure.
 */
export function describeListingConformance(name: string, factory: () => Promise<CertificateListingRepository>): void {
  describe(`certificate list index conformance: ${name}`, () => {
    let repo: CertificateListingRepository;
    beforeEach(async () => {
      repo = await factory();
    });

    it('finds nothing for a name never listed', async () => {
      expect(await repo.find('absent')).toEqual([]);
      expect(await repo.page('live', { limit: 25, includePending: true })).toEqual({ listings: [] });
    });

    it('creates a row and finds it under any casing of its name, refusing a second create', async () => {
      const listing = listingFixture('Web-Site');
      await repo.put(listing, undefined);
      const found = await repo.find('web-SITE');
      expect(found.map((f) => f.value)).toEqual([listing]);
      expect(found[0]?.etag).toBeTruthy();
      await expect(repo.put({ ...listing, enabled: false }, undefined)).rejects.toBeInstanceOf(WriteConflictError);
      expect((await repo.find('web-site')).map((f) => f.value)).toEqual([listing]);
    });

    it('replaces and removes a row only at the ETag it was read at', async () => {
      await repo.put(listingFixture('etag'), undefined);
      const [first] = await repo.find('etag');
      if (!first) throw new Error('not stored');
      await repo.put({ ...first.value, enabled: false }, first.etag);
      await expect(repo.put({ ...first.value, tags: { stale: 'write' } }, first.etag)).rejects.toBeInstanceOf(WriteConflictError);
      await expect(repo.remove(first)).rejects.toBeInstanceOf(WriteConflictError);
      const [second] = await repo.find('etag');
      expect(second?.value.enabled).toBe(false);
      if (!second) throw new Error('not stored');
      await repo.remove(second);
      expect(await repo.find('etag')).toEqual([]);
      // Removing what another writer already removed is a lost race too.
      await expect(repo.remove(second)).rejects.toBeInstanceOf(WriteConflictError);
    });

    it('keeps a row per list and per issued/pending-only, so find sees every place a name is', async () => {
      const places = [
        listingFixture('everywhere'),
        listingFixture('everywhere', { issued: false }),
        listingFixture('everywhere', { deletion }),
        listingFixture('everywhere', { issued: false, deletion }),
      ];
      for (const listing of places) await repo.put(listing, undefined);
      const found = (await repo.find('EVERYWHERE')).map((f) => f.value);
      expect(found).toHaveLength(4);
      expect(found).toEqual(expect.arrayContaining(places));
    });

    it('pages each list by name: issued certificates, then pending-only ones with includePending, each once', async () => {
      const issued = ['b-issued', 'A-issued', 'c-issued', 'd-issued', 'e-issued'];
      const pending = ['a-pending', 'B-pending', 'c-pending'];
      for (const n of issued) await repo.put(listingFixture(n), undefined);
      for (const n of pending) await repo.put(listingFixture(n, { issued: false, x5t: undefined, enabled: false }), undefined);
      await repo.put(listingFixture('gone', { deletion }), undefined);
      await repo.put(listingFixture('gone-pending', { issued: false, deletion }), undefined);

      const byName = (names: string[]) => [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      // Page sizes that end a page exactly at the end of the issued range, and that cross it.
      for (const limit of [1, 2, 5, 25]) {
        expect((await walk(repo, 'live', limit, false)).names).toEqual(byName(issued));
        expect((await walk(repo, 'live', limit, true)).names).toEqual([...byName(issued), ...byName(pending)]);
      }
      // A full last page says there is no more: 5 issued in pages of 5 is one page, not two.
      expect((await walk(repo, 'live', 5, false)).pages).toBe(1);
      expect((await walk(repo, 'live', 8, true)).pages).toBe(1);
      expect((await walk(repo, 'deleted', 25, false)).names).toEqual(['gone']);
      expect((await walk(repo, 'deleted', 1, true)).names).toEqual(['gone', 'gone-pending']);
    });

    it('starts a page after the key it is given, even one no row has', async () => {
      for (const n of ['a', 'b', 'c']) await repo.put(listingFixture(n), undefined);
      await repo.put(listingFixture('a', { issued: false }), undefined);
      expect((await repo.page('live', { limit: 25, includePending: false, after: 'c:aa' })).listings.map((l) => l.name)).toEqual(['b', 'c']);
      expect((await repo.page('live', { limit: 25, includePending: true, after: 'c:c' })).listings.map((l) => `${l.issued}:${l.name}`)).toEqual(['false:a']);
      expect((await repo.page('live', { limit: 25, includePending: true, after: 'p:a' })).listings).toEqual([]);
      expect((await repo.page('live', { limit: 25, includePending: false, after: 'p:' })).listings).toEqual([]);
    });
  });
}
