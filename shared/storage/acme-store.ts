import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { AcmeAccountRecord, AcmeAccountRepository, Http01AnswerRepository } from '../issuers/acme/acme-stores';
import { orUndefinedOn404, statusCodeOf } from './storage-errors';
import { readEntity } from './point-read';

/**
 * The ACME provider's rows live in the Issuers table, beside the issuer objects, without a table (and
 * infrastructure) of their own. Their partitions start with `~`, which no issuer name has and which sorts
 * after every one, so IssuerStore (rows with RowKey `issuer`) never returns them and a list page scans them
 * only past the last issuer:
 * - an account: partition `~acme-account`, RowKey `<issuer, lower-cased>~<sha256(directory URL), 40 hex>`, so
 *   each issuer has one account per directory and changing the directory URL makes a new one. It outlives
 *   a deleted issuer object: one re-created under the same name and directory uses the same account.
 * - an HTTP-01 answer: partition `~acme-http01`, RowKey the token, removed once the CA has validated.
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
const ACCOUNT_PARTITION = '~acme-account';

function accountRowKey(issuerName: string, directoryUrl: string): string {
  return `${issuerName.toLowerCase()}~${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 40)}`;
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
    const entity = await readEntity<AccountEntity>(this.table, ACCOUNT_PARTITION, accountRowKey(issuerName, directoryUrl));
    return entity ? recordOf(entity) : undefined;
  }

  async createOnce(issuerName: string, account: AcmeAccountRecord): Promise<AcmeAccountRecord> {
    const entity: AccountEntity = { partitionKey: ACCOUNT_PARTITION, rowKey: accountRowKey(issuerName, account.directoryUrl), ...account };
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
    await this.table.updateEntity({ partitionKey: ACCOUNT_PARTITION, rowKey: accountRowKey(issuerName, directoryUrl), accountUrl }, 'Merge');
  }
}

export class Http01AnswerStore implements Http01AnswerRepository {
  constructor(private readonly table: TableClient) {}

  async get(token: string): Promise<string | undefined> {
    return (await readEntity<AnswerEntity>(this.table, HTTP01_PARTITION, token))?.keyAuthorization;
  }

  async put(token: string, keyAuthorization: string): Promise<void> {
    await this.table.upsertEntity<AnswerEntity>({ partitionKey: HTTP01_PARTITION, rowKey: token, keyAuthorization }, 'Replace');
  }

  async remove(token: string): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(HTTP01_PARTITION, token));
  }
}
