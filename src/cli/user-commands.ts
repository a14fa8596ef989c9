import fs from 'node:fs';
import readline from 'node:readline';
import { systemActor } from '../audit/actor.js';
import { passwordProblem } from '../auth/password.js';
import { loadConfig } from '../config/config.js';
import { createSequelize } from '../db/database.js';
import { openDatabaseTarget } from '../db/database-target.js';
import { createMigrator } from '../db/migrator.js';
import { User } from '../models/index.js';
import { executeWrite } from '../records/write-command.js';

/** A refusal the CLI prints as it is (run-cli.ts). */
class CliRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliRefusal';
  }
}

const USAGE = `Usage: nexus user:create-admin --username NAME --name "FULL NAME" --email ADDRESS [--password-file FILE]
  Creates the first administrator of a database without demo data. The password is typed at the
  prompt (twice, not shown), or read from the first line of FILE (or of standard input when it is
  not a terminal); never given on the command line. Refused when an active administrator exists:
  further administrators are made in the panel, where another administrator approves the role.`;

function option(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const arg = args[i]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
}

/** Asks without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const muted = rl as unknown as { _writeToOutput: (text: string) => void };
    let asked = false;
    muted._writeToOutput = (text: string) => {
      if (!asked) process.stdout.write(text);
    };
    rl.question(question, (answer) => {
      process.stdout.write('\n');
      rl.close();
      resolve(answer);
    });
    asked = true;
  });
}

async function readPassword(args: string[]): Promise<string> {
  const file = option(args, '--password-file');
  if (file) return fs.readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
  if (!process.stdin.isTTY) return fs.readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  const first = await askHidden('Password: ');
  const again = await askHidden('Password again: ');
  if (first !== again) throw new CliRefusal('The two passwords are not the same. Nothing was created.');
  return first;
}

/** user:create-admin; returns the exit code. */
export async function createFirstAdmin(args: string[]): Promise<number> {
  if (args.some((a) => a === '--password' || a.startsWith('--password='))) {
    console.error(
      'A password on the command line is seen by anyone who lists processes and kept in shell history: type it at the prompt or use --password-file.',
    );
    return 2;
  }
  const username = option(args, '--username')?.trim().toLowerCase();
  const fullName = option(args, '--name')?.trim();
  const email = option(args, '--email')?.trim().toLowerCase();
  if (!username || !fullName || !email) {
    console.error(USAGE);
    return 2;
  }
  const password = await readPassword(args);
  const problem = passwordProblem(password, username);
  if (problem) throw new CliRefusal(`${problem}. Nothing was created.`);

  const config = loadConfig();
  const target = await openDatabaseTarget(config, (line) => console.error(line));
  const sequelize = createSequelize({ url: target.url, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS, ssl: target.ssl });
  try {
    if ((await createMigrator(sequelize).pending()).length)
      throw new CliRefusal('The database is not migrated: run nexus db:migrate first. Nothing was created.');
    const admin = await executeWrite(sequelize, {
      actor: systemActor('cli:create-admin'),
      table: 'users',
      model: User,
      run: async ({ transaction }) => {
        // Under a lock, so that two of these at once make one administrator, not two.
        await sequelize.query(`SELECT pg_advisory_xact_lock(hashtext('nexus.first-admin'))`, { transaction });
        const existing = await User.findOne({ where: { role: 'admin', active: true }, transaction });
        if (existing) {
          throw new CliRefusal(
            `An active administrator exists (${existing.username}): this command makes only the first one. Make further administrators in the panel (another administrator approves the role). Nothing was created.`,
          );
        }
        return User.create({ username, full_name: fullName, email, role: 'admin', password } as never, { transaction });
      },
    });
    console.log(
      `Created administrator ${admin.username} (${admin.full_name}, ${admin.email}), user #${admin.id}; recorded in the audit trail as system:cli:create-admin.`,
    );
    return 0;
  } finally {
    await sequelize.close();
    await target.embedded?.stop();
  }
}
