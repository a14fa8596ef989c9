import crypto from 'node:crypto';

/** The chain starts from 32 zero bytes, so the first link is as checkable as any other. */
export const GENESIS = Buffer.alloc(32);

/** chain_hash[n] = sha256(chain_hash[n-1] || row_hash[n]) */
export function nextLink(previous: Buffer, rowHash: Buffer): Buffer {
  return crypto.createHash('sha256').update(previous).update(rowHash).digest();
}

export const SEAL_LOCK_KEY = 'nexus.audit.seal';
