import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { AcmeAccountRecord, AcmeAccountRepository, Http01AnswerRepository } from '../issuers/acme/acme-stores';
import { orUndefinedOn404, statusCodeOf } from './storage-errors';

/**
 * The ACME provider's rows live in the Issuers table, beside the issuer objects, without a table (and
 * infrastructure) of their own; IssuerStore reads only rows whose RowKey is `issuer`, so it never sees them:
 * - an account: the issuer's own partition (its lower-cased name), RowKey `acme-account-<sha256(directory)>`,
 *   so each issuer has one account per directory and changing the directory URL makes a new one;
 * - an HTTP-01 answer: partition `~acme-http01` (no issuer name has `~`, and it sorts after every one, so an
 *   issuer list page never scans it), RowKey the token.
 */
interface AccountEntity {
  partitionKey: string;
  rowKey: string;
  directoryUrl: string;
  sealedAccountKey: string;
  accountUrl?: string;
}

interface AnswerEntity {
  partitionKey: string;
  rowKey: string;
  keyAuthorization: string;
}

const HTTP01_PARTITION = '~acme-http01';

function accountRowKey(directoryUrl: string): string {
  return `acme-account-${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 40)}`;
}

function recordOf(entity: AccountEntity): AcmeAccountRecord {
  return {
    directoryUrl: entity.directoryUrl,
    sealedAccountKey: entity.sealedAccountKey,
    ...(entity.accountUrl ? { accountUrl: entity.accountUrl } : {}),
  };
}

export class AcmeAccountStore implements AcmeAccountRepository {
  constructor(private readonly table: TableClient) {}

  async get(issuerName: string, directoryUrl: string): Promise<AcmeAccountRecord | undefined> {
    const entity = await orUndefinedOn404(this.table.getEntity<AccountEntity>(issuerName.toLowerCase(), accountRowKey(directoryUrl)));
    return entity ? recordOf(entity) : undefined;
  }

  async createOnce(issuerName: string, account: AcmeAccountRecord): Promise<AcmeAccountRecord> {
    const entity: AccountEntity = { partitionKey: issuerName.toLowerCase(), rowKey: accountRowKey(account.directoryUrl), ...account };
    try {
      await this.table.createEntity(entity);
      return account;
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      // Two first requests raced: both use the account the first one stored.
      const stored = await this.get(issuerName, account.directoryUrl);
      if (!stored) throw error;
      return stored;
    }
  }

  async setAccountUrl(issuerName: string, directoryUrl: string, accountUrl: string): Promise<void> {
    await this.table.updateEntity({ partitionKey: issuerName.toLowerCase(), rowKey: accountRowKey(directoryUrl), accountUrl }, 'Merge');
  }
}

export class Http01AnswerStore implements Http01AnswerRepository {
  constructor(private readonly table: TableClient) {}

  async get(token: string): Promise<string | undefined> {
    return (await orUndefinedOn404(this.table.getEntity<AnswerEntity>(HTTP01_PARTITION, token)))?.keyAuthorization;
  }

  async put(token: string, keyAuthorization: string): Promise<void> {
    await this.table.upsertEntity<AnswerEntity>({ partitionKey: HTTP01_PARTITION, rowKey: token, keyAuthorization }, 'Replace');
  }

  async remove(token: string): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(HTTP01_PARTITION, token));
  }
}
