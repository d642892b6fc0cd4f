import { errors } from '../api/errors';
import type { MergeCertificateBody } from '../api/schemas/request-bodies.schema';
import { ChainError, findLeafForKey, orderLeafFirst } from '../crypto/certificate-chain';
import { decodeX5c } from '../crypto/certificate-input';
import type { CertificateVersion } from '../domain/certificate-version';
import { isIssuerDriven } from '../domain/pending-operation';
import { WriteConflictError } from '../storage/storage-errors';
import { finishOperation } from './finish-operation';
import { requirePendingOperation } from './pending-operations';
import type { ServiceContext } from './service-context';

/**
 * POST /pending/merge: completes a pending operation with a chain the caller obtained from a CA of their
 * choice (S11), or out of band after an issuer request failed or was cancelled (S7).
 */
export async function mergeCertificate(ctx: ServiceContext, name: string, body: MergeCertificateBody): Promise<CertificateVersion> {
  const stored = await requirePendingOperation(ctx, name);
  const op = stored.value;
  if (op.status === 'inProgress' && isIssuerDriven(op)) throw errors.mergeForbiddenWhileIssuerInProgress(op.policy.issuer.name);
  if (op.status === 'completed') throw errors.mergeNotPending(op.status);

  let chain;
  try {
    const certificates = decodeX5c(body.x5c);
    const leaf = findLeafForKey(certificates, Buffer.from(op.publicKeySpki, 'base64'));
    if (!leaf) {
      throw new ChainError(
        "No certificate in x5c has the pending certificate's public key; merge the certificate issued for this request's CSR.",
      );
    }
    // Keep the caller's order when asked to; otherwise leaf first, then up the issuer links.
    const rest = (op.preserveCertOrder ? certificates : orderLeafFirst(certificates)).filter((c) => c !== leaf);
    chain = [leaf, ...rest];
  } catch (error) {
    if (error instanceof ChainError) throw errors.badParameter(error.message);
    throw error;
  }

  try {
    const { version } = await finishOperation(ctx, stored, chain, {
      ...(body.attributes?.enabled != null ? { enabled: body.attributes.enabled } : {}),
      ...(body.tags ? { tags: body.tags } : {}),
    });
    return version;
  } catch (error) {
    if (error instanceof WriteConflictError) throw errors.concurrentUpdate();
    throw error;
  }
}
