import fs from 'node:fs';
import { BackupError } from './backup-error.js';
import { lastLines, runTool, type PgTools } from './pg-tools.js';

/** What a pg_dump custom-format archive holds, read with pg_restore before anything is restored. */

export interface ArchiveListing {
  database: string | null;
  createdAt: string | null;
  dumpedFrom: string | null;
  tables: Set<string>;
  triggers: Array<{ table: string; name: string }>;
}

export async function readArchive(file: string, tools: PgTools): Promise<ArchiveListing> {
  if (!fs.existsSync(file)) throw new BackupError(`No backup file at ${file}.`);
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new BackupError(`${file} is not a file.`);
  const head = Buffer.alloc(5);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 5, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== 'PGDMP') {
    throw new BackupError(`${file} is not a pg_dump custom-format archive (made by npm run db:backup); nothing was restored.`);
  }
  const listed = await runTool(tools.pgRestore, ['--list', file]);
  if (listed.status !== 0) throw new BackupError(`${file} is damaged or unreadable; nothing was restored. pg_restore says: ${lastLines(listed.stderr)}`);
  const header = (label: string) => new RegExp(`^;\\s+${label}:\\s*(.*)$`, 'm').exec(listed.stdout)?.[1]?.trim() ?? null;
  const tables = new Set<string>();
  const triggers: Array<{ table: string; name: string }> = [];
  for (const line of listed.stdout.split('\n')) {
    const table = /^\d+; \d+ \d+ TABLE public (\S+) /.exec(line);
    if (table) tables.add(table[1]!);
    const trigger = /^\d+; \d+ \d+ TRIGGER public (\S+) (\S+) /.exec(line);
    if (trigger) triggers.push({ table: trigger[1]!, name: trigger[2]! });
  }
  const createdAt = /^; Archive created at (.+)$/m.exec(listed.stdout)?.[1]?.trim() ?? null;
  return { database: header('dbname'), createdAt, dumpedFrom: header('Dumped from database version'), tables, triggers };
}

/** Roles named by the archive's GRANT/REVOKE and ALTER DEFAULT PRIVILEGES statements. */
export async function rolesNamedBy(file: string, tools: PgTools): Promise<string[]> {
  const script = await runTool(tools.pgRestore, ['--schema-only', '--file=-', file]);
  if (script.status !== 0) throw new BackupError(`${file} is damaged or unreadable; nothing was restored. pg_restore says: ${lastLines(script.stderr)}`);
  const roles = new Set<string>();
  const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name);
  for (const line of script.stdout.split('\n')) {
    const grant = /^(?:ALTER DEFAULT PRIVILEGES .*?)?(?:GRANT|REVOKE) .* (?:TO|FROM) (.+?)(?: WITH GRANT OPTION)?(?: GRANTED BY .+)?;$/.exec(line);
    if (grant) for (const name of grant[1]!.split(/,\s*/)) roles.add(unquote(name.trim()));
    const forRole = /^ALTER DEFAULT PRIVILEGES FOR ROLE (\S+)/.exec(line);
    if (forRole) roles.add(unquote(forRole[1]!));
  }
  roles.delete('PUBLIC');
  return [...roles].sort();
}
