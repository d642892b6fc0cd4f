import type { AcmeAccountRecord, AcmeAccountRepository, Http01AnswerRepository } from '../../../shared/issuers/acme/acme-stores';

/** ACME accounts in memory, keyed by issuer (case-insensitive) and directory, as the table store keys them. */
export class MemoryAcmeAccounts implements AcmeAccountRepository {
  private readonly rows = new Map<string, AcmeAccountRecord>();

  get(issuerName: string, directoryUrl: string): Promise<AcmeAccountRecord | undefined> {
    const row = this.rows.get(key(issuerName, directoryUrl));
    return Promise.resolve(row ? { ...row } : undefined);
  }

  createOnce(issuerName: string, account: AcmeAccountRecord): Promise<AcmeAccountRecord> {
    const k = key(issuerName, account.directoryUrl);
    if (!this.rows.has(k)) this.rows.set(k, { ...account });
    return Promise.resolve({ ...(this.rows.get(k) ?? account) });
  }

  setAccountUrl(issuerName: string, directoryUrl: string, accountUrl: string): Promise<void> {
    const row = this.rows.get(key(issuerName, directoryUrl));
    if (row) row.accountUrl = accountUrl;
    return Promise.resolve();
  }
}

export class MemoryHttp01Answers implements Http01AnswerRepository {
  readonly answers = new Map<string, string>();

  get(token: string): Promise<string | undefined> {
    return Promise.resolve(this.answers.get(token));
  }

  put(token: string, keyAuthorization: string): Promise<void> {
    this.answers.set(token, keyAuthorization);
    return Promise.resolve();
  }

  remove(token: string): Promise<void> {
    this.answers.delete(token);
    return Promise.resolve();
  }
}

function key(issuerName: string, directoryUrl: string): string {
  return `${issuerName.toLowerCase()} ${directoryUrl}`;
}
