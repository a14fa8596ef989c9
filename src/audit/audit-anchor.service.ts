import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * Anchors: where an earlier verification of the audit chain ended (migrations/*-audit-anchors).
 *
 * The chain is hashed with SHA-256 and no key, so an anchor cannot carry a MAC that anyone but
 * its writer could not also compute. It is a sign-off by what guards it instead: only the owner
 * writes one, through audit_anchor(); a trigger refuses any hash that the chain entry and the
 * seal at its position do not both hold; it is append-only; and every verification checks again
 * that the chain still holds it. An incremental run trusts what lies before its anchor only that
 * far: the chain entry at the anchor, not each row before it (the full mode re-reads those).
 */

export interface AnchorStart {
  /** The recorded anchor, or null for a chain head the caller kept from an earlier run. */
  anchorId: number | null;
  position: number;
  headHash: string;
  /** Every audit row of a transaction older than this was chained at or before the position. */
  txidHorizon: string;
  /** The newest time chained up to the position (UTC, to the microsecond), for the back-dating check to go on from. */
  newestOccurredAt: string | null;
  recordedAt: Date | null;
  recordedBy: string | null;
}

/** An anchor, recorded or given, that the chain no longer bears out. */
export interface BrokenAnchor {
  anchorId: number | null;
  position: number;
  /** The chain has no entry at the position any more. */
  gone: boolean;
  recordedAt: Date | null;
  recordedBy: string | null;
}

/** A timestamptz as exact text: JavaScript's Date keeps milliseconds, PostgreSQL microseconds. */
export const UTC_MICROS = (expression: string) => `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface AnchorRow {
  id: number;
  position: string;
  chain_hash: Buffer;
  txid_horizon: string;
  newest_occurred_at: string;
  recorded_at: Date;
  recorded_by: string;
}

/** A database restored from a backup made before anchors existed has none until it is migrated. */
export async function anchorsExist(sequelize: Sequelize, transaction: Transaction): Promise<boolean> {
  const [row] = await sequelize.query<{ present: boolean }>(`SELECT to_regclass('public.audit_anchors') IS NOT NULL AS present`, {
    type: QueryTypes.SELECT,
    transaction,
  });
  return row!.present;
}

/** The anchor furthest along the chain. Chosen by position, never by time: a moved clock reorders times. */
export async function newestAnchor(sequelize: Sequelize, transaction: Transaction): Promise<AnchorStart | null> {
  const [row] = await sequelize.query<AnchorRow>(
    `SELECT id, position::text, chain_hash, txid_horizon::text, ${UTC_MICROS('newest_occurred_at')} AS newest_occurred_at, recorded_at, recorded_by
       FROM audit_anchors ORDER BY position DESC, id DESC LIMIT 1`,
    { type: QueryTypes.SELECT, transaction },
  );
  if (!row) return null;
  return {
    anchorId: row.id,
    position: Number(row.position),
    headHash: row.chain_hash.toString('hex'),
    txidHorizon: row.txid_horizon,
    newestOccurredAt: row.newest_occurred_at,
    recordedAt: new Date(row.recorded_at),
    recordedBy: row.recorded_by,
  };
}

/**
 * A chain head kept from an earlier run (the position and hash `audit:verify` prints) as a start:
 * its seal's horizon, and the newest time among the thousand entries before it (the window the
 * sealer itself measures back-dating from); broken when the chain does not hold that hash there.
 */
export async function keptHeadStart(sequelize: Sequelize, transaction: Transaction, position: number, headHash: string): Promise<AnchorStart | BrokenAnchor> {
  const [row] = await sequelize.query<{ chain_hash: Buffer | null; newest: string | null; horizon: string | null }>(
    `SELECT (SELECT chain_hash FROM audit_chain WHERE position = :position) AS chain_hash,
            (SELECT ${UTC_MICROS('max(audit_occurred_at)')} FROM audit_chain WHERE position > :position - 1000 AND position <= :position) AS newest,
            (SELECT txid_horizon::text FROM audit_seals WHERE last_position <= :position ORDER BY id DESC LIMIT 1) AS horizon`,
    { type: QueryTypes.SELECT, transaction, replacements: { position } },
  );
  if (!row!.chain_hash || row!.chain_hash.toString('hex') !== headHash.toLowerCase()) {
    return { anchorId: null, position, gone: !row!.chain_hash, recordedAt: null, recordedBy: null };
  }
  return {
    anchorId: null,
    position,
    headHash: headHash.toLowerCase(),
    txidHorizon: row!.horizon ?? '0',
    newestOccurredAt: row!.newest,
    recordedAt: null,
    recordedBy: null,
  };
}

/** The first recorded anchor whose hash the chain no longer holds at its position, if any. */
export async function firstBrokenAnchor(sequelize: Sequelize, transaction: Transaction): Promise<BrokenAnchor | null> {
  const [row] = await sequelize.query<{ id: number; position: string; gone: boolean; recorded_at: Date; recorded_by: string }>(
    `SELECT a.id, a.position::text, c.position IS NULL AS gone, a.recorded_at, a.recorded_by
       FROM audit_anchors a LEFT JOIN audit_chain c ON c.position = a.position
      WHERE c.position IS NULL OR c.chain_hash <> a.chain_hash
      ORDER BY a.position, a.id LIMIT 1`,
    { type: QueryTypes.SELECT, transaction },
  );
  if (!row) return null;
  return { anchorId: row.id, position: Number(row.position), gone: row.gone, recordedAt: new Date(row.recorded_at), recordedBy: row.recorded_by };
}

export function describeBrokenAnchor(broken: BrokenAnchor): string {
  const which =
    broken.anchorId === null
      ? `the chain head given for position ${broken.position}`
      : `anchor ${broken.anchorId} (chain position ${broken.position}, recorded ${broken.recordedAt!.toISOString()} by ${broken.recordedBy})`;
  const what = broken.gone ? 'the chain has no entry there any more' : 'the chain holds another hash there';
  return `${which} no longer matches the chain: ${what}, so the chain was rewritten at or before that position, or the anchor was forged`;
}

export interface AnchorToRecord {
  position: number;
  headHash: string;
  /** UTC, to the microsecond (as UTC_MICROS writes it). */
  newestOccurredAt: string;
  mode: 'full' | 'incremental';
  /** Where the verification started: 0 for the whole chain. */
  fromPosition: number;
  /** What ran it (command, operating-system user and host). */
  verifiedWith: string;
}

export type AnchorOutcome = { kind: 'recorded'; id: number; recordedAt: Date; recordedBy: string } | { kind: 'refused'; reason: string };

/**
 * Records an anchor through audit_anchor(), after a verification that succeeded. A login that may
 * not (the runtime login) is told so; nothing else is swallowed.
 */
export async function recordAuditAnchor(sequelize: Sequelize, anchor: AnchorToRecord): Promise<AnchorOutcome> {
  try {
    const [row] = await sequelize.query<{ id: number; recorded_at: Date; recorded_by: string }>(
      `SELECT id, recorded_at, recorded_by FROM audit_anchor(:position, decode(:hash, 'hex'), :newest::timestamptz, :mode, :from, :with)`,
      {
        type: QueryTypes.SELECT,
        replacements: {
          position: anchor.position,
          hash: anchor.headHash,
          newest: anchor.newestOccurredAt,
          mode: anchor.mode,
          from: anchor.fromPosition,
          with: anchor.verifiedWith.slice(0, 500),
        },
      },
    );
    return { kind: 'recorded', id: row!.id, recordedAt: new Date(row!.recorded_at), recordedBy: row!.recorded_by };
  } catch (error) {
    const code = (error as { parent?: { code?: string } }).parent?.code;
    if (code === '42501') return { kind: 'refused', reason: 'this login may not record anchors (only the owner may: DATABASE_OWNER_URL)' };
    if (code === '42883') return { kind: 'refused', reason: 'this database has no anchors yet (run nexus db:migrate)' };
    throw error;
  }
}
