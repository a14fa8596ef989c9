import { User } from '../models/index.js';

export interface AuditActorOption {
  id: number;
  label: string;
}

/**
 * Everyone who can appear as the author of audit rows, for the audit log's "User" filter. Audit
 * reviewers cannot open the user directory, so the filter cannot search it; users are never
 * deleted, and a shop has few of them, so the whole list is small.
 */
export async function listAuditActors(): Promise<AuditActorOption[]> {
  const users = await User.findAll({
    attributes: ['id', 'full_name', 'username', 'active'],
    order: [
      ['full_name', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return users.map((u) => ({ id: u.id, label: `${u.full_name} (${u.username})${u.active ? '' : ' — deactivated'}` }));
}
