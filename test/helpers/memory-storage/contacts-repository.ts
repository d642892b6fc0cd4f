import type { CertificateContact } from '../../../shared/domain/certificate-contact';
import type { ContactsRepository } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

/** ContactsRepository in memory: one list, replaced and removed whole. */
export class MemoryContactsRepository implements ContactsRepository {
  private contacts: CertificateContact[] | undefined;

  async get(): Promise<CertificateContact[] | undefined> {
    return this.contacts && storedCopy(this.contacts);
  }

  async put(contacts: readonly CertificateContact[]): Promise<void> {
    this.contacts = storedCopy([...contacts]);
  }

  async remove(): Promise<CertificateContact[] | undefined> {
    const removed = this.contacts;
    this.contacts = undefined;
    return removed;
  }
}
