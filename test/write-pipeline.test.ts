import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApprovalRequired } from '../src/approvals/approval-request.service.js';
import { AccessDeniedError } from '../src/auth/access-rules.js';
import { systemActor } from '../src/audit/actor.js';
import { Customer, User } from '../src/models/index.js';
import { RecordValidationError } from '../src/records/record-errors.js';
import { executeWrite } from '../src/records/write-command.js';
import { updateRecord } from '../src/records/record.service.js';
import { projectRoot } from '../src/paths.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';

/**
 * Every audited write of every service goes through executeWrite (src/records/write-command.ts):
 * permission first, one transaction with the actor, errors translated, "submitted for approval"
 * only after commit. These tests hold the pipeline to that, and the code base to using it.
 */

let t: TestApp;
const count = async (table: string) => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the write pipeline', () => {
  it('asks permission before anything is read or written', async () => {
    let ran = false;
    const before = await count('audit_logs');
    await expect(
      executeWrite(t.db.sequelize, {
        actor: testActor(t.users.viewer),
        table: 'customers',
        permit: () => {
          throw new AccessDeniedError('not you');
        },
        run: async () => {
          ran = true;
          return null;
        },
      }),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    expect(ran).toBe(false);
    expect(await count('audit_logs')).toBe(before);
  });

  it('rolls a failed change back whole, with its audit rows, and says why in words', async () => {
    const [customers, audit] = [await count('customers'), await count('audit_logs')];
    const failed = executeWrite(t.db.sequelize, {
      actor: systemActor('test'),
      table: 'customers',
      model: Customer as never,
      run: async ({ transaction }) => {
        await Customer.create({ code: 'PIPE1', name: 'Pipeline Co' } as never, { transaction });
        // The same code again: the unique key refuses it, after the first row and its audit rows were written.
        return Customer.create({ code: 'PIPE1', name: 'Pipeline Co again' } as never, { transaction });
      },
    });
    await expect(failed).rejects.toBeInstanceOf(RecordValidationError);
    await expect(failed).rejects.toMatchObject({ fields: { code: expect.stringMatching(/already/) } });
    expect([await count('customers'), await count('audit_logs')]).toEqual([customers, audit]);
  });

  it('commits a request held for approval, and only then says so; the change itself is not made', async () => {
    // An administrator raises a viewer's role: another administrator signs it (approval-policy.ts user.role).
    const viewer = (await t.db.query<{ id: number; version: number }>(`SELECT id, version FROM users WHERE id = $1`, [t.users.viewer.id])).rows[0]!;
    const approvals = await count('approvals');
    const asked = await updateRecord(User as never, viewer.id, { role: 'engineer', version: viewer.version }, testActor(t.users.admin)).catch(
      (error: unknown) => error,
    );
    expect(asked).toBeInstanceOf(ApprovalRequired);
    expect(await count('approvals')).toBe(approvals + 1);
    expect((await t.db.query('SELECT role, version FROM users WHERE id = $1', [viewer.id])).rows[0]).toEqual({ role: 'viewer', version: viewer.version });
  });
});

describe('the code base', () => {
  it('opens a transaction for audited data nowhere but in the pipeline', () => {
    // Besides the pipeline, transactions of their own are kept for what is not a change of
    // critical data: audit events, sign-in counters, the mail outbox's delivery state, the mail
    // that tells administrators of a locked account, read-only snapshots (the audit export, the
    // printed traveler, the routing editor's view, what the Release form says, the audit verifier's
    // one consistent view of rows, chain and seals, a page of the audit log read on a replica,
    // where nothing can be written), the owner's schema
    // migrations and the database's own roles, and making the coming months' audit partitions
    // (one instance at a time, under a transaction-scoped lock).
    const allowed = new Set([
      'src/db/unit-of-work.ts',
      'src/records/write-command.ts',
      'src/audit/audit-event.service.ts',
      'src/auth/login-throttle.service.ts',
      'src/notifications/mail-outbox.service.ts',
      'src/approvals/approval-decision.service.ts:notifyAdministratorsOfLock',
      'src/audit/audit-export.service.ts',
      'src/travelers/traveler-print.service.ts',
      'src/records/routing.service.ts:readRouting',
      'src/records/revision-release.service.ts:revisionActionPlan',
      'src/audit/audit-verify.service.ts:verifyAuditLog',
      'src/db/read-replica.ts:readAt',
      'src/db/migrator.ts',
      'src/db/database-roles.ts',
      'src/audit/audit-partition.service.ts',
    ]);
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name)) {
          const text = fs.readFileSync(full, 'utf8');
          const file = path.relative(projectRoot, full);
          const lines = text.split('\n');
          lines.forEach((line, i) => {
            if (!/\b(inTransaction|\.transaction)\(/.test(line) || /^\s*(\/\/|\*)/.test(line)) return;
            // The function a call stands in: the nearest declaration above it.
            const owner = lines
              .slice(0, i + 1)
              .reverse()
              .map((l) => /(?:function|const)\s+(\w+)/.exec(l)?.[1])
              .find(Boolean);
            found.push(allowed.has(file) ? file : `${file}:${owner}`);
          });
        }
      }
    };
    walk(path.join(projectRoot, 'src'));
    expect(found.length).toBeGreaterThan(3);
    expect(found.filter((f) => !allowed.has(f))).toEqual([]);
  });
});
