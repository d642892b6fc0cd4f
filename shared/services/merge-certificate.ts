import { errors } from '../api/errors';
import type { MergeCertificateBody } from '../api/schemas/request-bodies.schema';
import { ChainError, findLeafForKey, orderLeafFirst } from '../crypto/certificate-chain';
import { decodeX5c } from '../crypto/certificate-input';
import type { CertificateVersion } from '../domain/certificate-version';
import { type PendingOperation, isIssuerDriven } from '../domain/pending-operation';
import { finishOperation } from './finish-operation';
import { onFreshOperation } from './pending-operations';
import type { ServiceContext } from './service-context';

/**
 * POST /pending/merge: completes a pending operation with a chain the caller obtained from a CA of their
 * choice (S11), or out of band after an issuer request failed or was cancelled (S7).
 */
export async function mergeCertificate(ctx: ServiceContext, name: string, body: MergeCertificateBody): Promise<CertificateVersion> {
  // Decided again on the fresh state when another writer got in between: a merge that loses a race to a
  // cancel still completes the now-cancelled request (as S7 allows), and one that loses to another merge is
  // told the request is already completed.
  return onFreshOperation(ctx, name, undefined, async (stored) => {
    const op = stored.value;
    if (op.status === 'inProgress' && isIssuerDriven(op)) throw errors.mergeForbiddenWhileIssuerInProgress(op.policy.issuer.name);
    if (op.status === 'completed') throw errors.mergeNotPending(op.status);
    const { version } = await finishOperation(ctx, stored, chainFor(op, body.x5c), {
      ...(body.attributes?.enabled != null ? { enabled: body.attributes.enabled } : {}),
      ...(body.tags ? { tags: body.tags } : {}),
    });
    return version;
  });
}

/** The merged certificates as the version's chain: the leaf for the request's key first. */
function chainFor(op: PendingOperation, x5c: string[]) {
  try {
    const certificates = decodeX5c(x5c);
    const leaf = findLeafForKey(certificates, Buffer.from(op.publicKeySpki, 'base64'));
    if (!leaf) {
      throw new ChainError(
        "No certificate in x5c has the pending certificate's public key; merge the certificate issued for this request's CSR.",
      );
    }
    // Keep the caller's order when asked to; otherwise leaf first, then up the issuer links.
    const rest = (op.preserveCertOrder ? certificates : orderLeafFirst(certificates)).filter((c) => c !== leaf);
    return [leaf, ...rest];
  } catch (error) {
    if (error instanceof ChainError) throw errors.badParameter(error.message);
    throw error;
  }
}
