import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * Where the app's heavy reading goes: the audit log's list, its CSV export and the dashboard's
 * tiles, which a busy shop's reviewers run while the floor writes. With DATABASE_REPLICA_URL they
 * read from a streaming replica (a hot standby), so that those reads take no CPU or I/O from the
 * primary's writes; everything else, every write and whatever must show what was just written
 * (a form after save, History after an edit, the approval inbox), stays on the primary.
 *
 * A replica serves a read only when it is close enough:
 * - it answers (a replica that does not is left alone for a few seconds, and the primary serves);
 * - it is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind;
 * - it has replayed the reading person's own latest write (the primary's WAL position after it,
 *   kept in their session by ownWritesMarker), so nobody misses a change they just made.
 * Otherwise the primary serves, which is always right, only busier. How far behind a replica read
 * is travels with it, and the panel says so when it is more than a moment.
 */

export type ReadSource = 'primary' | 'replica';

export interface ReportPlace {
  /** The connection to read through: a replica's holds no model binding, so pass it as `transaction` or query it directly. */
  readonly db: Sequelize;
  readonly source: ReadSource;
  /** Seconds the rows read may be behind the primary; 0 on the primary. */
  readonly lagSeconds: number;
  /** Why the primary serves although a replica is set: it did not answer, is too far behind, or lacks the person's own write. */
  readonly fallback?: 'unreachable' | 'lagging' | 'own-writes';
}

export interface ReportReads {
  /** Whether a replica is configured at all (else every place is the primary, at no cost). */
  readonly replicated: boolean;
  /** Where a report read goes for someone whose latest write is at WAL position `ownWrites` (none: no write this session). */
  place(ownWrites?: string | null): Promise<ReportPlace>;
  /** The primary's WAL position now, after a person's write committed; null without a replica (nothing needs it). */
  writePosition(): Promise<string | null>;
}

export interface ReplicaSettings {
  db: Sequelize;
  maxLagSeconds: number;
  /** Told when the replica stops answering (once per outage) and when it is back. */
  onStateChange?: (state: 'unreachable' | 'answering', error?: unknown) => void;
}

/** A replica's status is asked at most this often per app (each report read would otherwise pay a round trip). */
const STATUS_TTL_MS = 250;
/** A replica that did not answer is asked again after this long; meanwhile the primary serves. */
const RETRY_AFTER_MS = 5000;

/** A WAL position ("16/B374D848") as a number, for comparing. */
export function lsnValue(lsn: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!match) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

const lsnText = (value: bigint) => `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;

// PostgreSQL's WAL page and segment sizes (the defaults; a cluster built with others is not supported
// here) and the page headers (SizeOfXLogShortPHD, SizeOfXLogLongPHD on 64-bit builds).
const WAL_PAGE = 8192n;
const WAL_SEGMENT = 16n * 1024n * 1024n;
const SHORT_HEADER = 24n;
const LONG_HEADER = 40n;

/**
 * Where the WAL written so far ends, from pg_current_wal_insert_lsn(). When the last record ended
 * on a page boundary, that function points past the next page's header, where a replica that has
 * replayed everything reports the boundary itself: the header is taken off so that the two meet.
 * (No record ends just past a page header, so nothing written is skipped.)
 */
export function endOfWrittenWal(insertPosition: string): string {
  const lsn = lsnValue(insertPosition);
  if (lsn % WAL_SEGMENT === LONG_HEADER) return lsnText(lsn - LONG_HEADER);
  if (lsn % WAL_PAGE === SHORT_HEADER) return lsnText(lsn - SHORT_HEADER);
  return lsnText(lsn);
}

interface ReplicaStatus {
  replayed: bigint;
  lagSeconds: number;
  at: number;
}

/**
 * The replica's position and lag. Lag is 0 while the WAL receiver runs and everything received is
 * replayed (an idle primary sends nothing, and the time since the last replayed commit would
 * otherwise grow without the replica being behind); else the time since that commit.
 */
const STATUS_SQL = `
  SELECT pg_is_in_recovery() AS standby,
         pg_last_wal_replay_lsn()::text AS replayed,
         CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
              THEN 0
              ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 'Infinity')::float8
         END AS lag_seconds`;

export function primaryOnly(primary: Sequelize): ReportReads {
  const place: ReportPlace = Object.freeze({ db: primary, source: 'primary', lagSeconds: 0 });
  return { replicated: false, place: async () => place, writePosition: async () => null };
}

export function createReportReads(primary: Sequelize, replica?: ReplicaSettings): ReportReads {
  if (!replica) return primaryOnly(primary);
  let status: ReplicaStatus | null = null;
  let pending: Promise<ReplicaStatus | null> | null = null;
  let downUntil = 0;
  let down = false;

  const onPrimary = (fallback: ReportPlace['fallback']): ReportPlace => ({ db: primary, source: 'primary', lagSeconds: 0, fallback });

  async function ask(): Promise<ReplicaStatus | null> {
    try {
      const [row] = await replica!.db.query<{ standby: boolean; replayed: string | null; lag_seconds: number }>(STATUS_SQL, { type: QueryTypes.SELECT });
      // A server that is not (or no longer) a standby, a promoted one say, is no replica of this primary.
      if (!row?.standby || !row.replayed) throw new Error('DATABASE_REPLICA_URL leads to a server that is not a standby in recovery');
      if (down) replica!.onStateChange?.('answering');
      down = false;
      status = { replayed: lsnValue(row.replayed), lagSeconds: Number(row.lag_seconds), at: Date.now() };
      return status;
    } catch (error) {
      if (!down) replica!.onStateChange?.('unreachable', error);
      down = true;
      downUntil = Date.now() + RETRY_AFTER_MS;
      status = null;
      return null;
    }
  }

  /** One status question at a time, shared by the reads that wait for it. */
  function fresh(): Promise<ReplicaStatus | null> {
    pending ??= ask().finally(() => {
      pending = null;
    });
    return pending;
  }

  return {
    replicated: true,
    async place(ownWrites) {
      if (down && Date.now() < downUntil) return onPrimary('unreachable');
      const needed = ownWrites ? lsnValue(ownWrites) : 0n;
      const cached = status && Date.now() - status.at < STATUS_TTL_MS ? status : null;
      let current = cached ?? (await fresh());
      // Replay only moves forward: a cached position short of the person's write is asked again once.
      if (cached && cached.replayed < needed) current = await fresh();
      if (!current) return onPrimary('unreachable');
      if (current.lagSeconds > replica!.maxLagSeconds) return onPrimary('lagging');
      if (current.replayed < needed) return onPrimary('own-writes');
      return { db: replica!.db, source: 'replica', lagSeconds: current.lagSeconds };
    },
    async writePosition() {
      // The insert position: past the commit just made even where commits are not flushed at once (synchronous_commit = off).
      const [row] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn', { type: QueryTypes.SELECT });
      return endOfWrittenWal(row!.lsn);
    },
  };
}

/**
 * Runs a model's reads at `place`. The models are bound to the primary; a query reaches a replica
 * only through a transaction of the replica's connection, so there `work` gets one (of its own:
 * everything in it reads one snapshot). On the primary it runs as it would without a place.
 */
export async function readAt<T>(place: ReportPlace, work: (options: { transaction?: Transaction }) => Promise<T>): Promise<T> {
  if (place.source === 'primary') return work({});
  return place.db.transaction((transaction) => work({ transaction }));
}

/** Lag below this is not worth a word to the person reading. */
export const LAG_NOTICE_SECONDS = 2;

/** What the panel says above rows read from a replica that is behind, or null when it is not worth saying. */
export function lagNotice(place: Pick<ReportPlace, 'source' | 'lagSeconds'>, what: string): string | null {
  if (place.source !== 'replica' || place.lagSeconds < LAG_NOTICE_SECONDS) return null;
  const seconds = Math.round(place.lagSeconds);
  return `These ${what} come from the reporting copy of the database, ${seconds} s behind: changes of the last ${seconds} s may not be shown yet.`;
}
