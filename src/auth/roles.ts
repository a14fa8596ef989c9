export const ROLES = ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  engineer: 'Engineer (reference data and planning)',
  quality: 'Quality (reads everything, reviews audit trails)',
  approver: 'Approver',
  operator: 'Operator (labor and sign-offs)',
  viewer: 'Viewer (read only)',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
