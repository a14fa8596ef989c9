import type { Role } from '../src/auth/roles.js';

/** Printed at start and in the README; for demo databases only (never seeded in production by default). */
export const DEMO_PASSWORD = 'Traveler-Demo-2026';

export const DEMO_USERS: ReadonlyArray<{ username: string; fullName: string; email: string; role: Role }> = [
  { username: 'admin', fullName: 'Dana Whitfield', email: 'admin@nexus-demo.example', role: 'admin' },
  // A second administrator: a role change or a reactivation is signed by another administrator (four eyes).
  { username: 'admin2', fullName: 'Alex Romero', email: 'admin2@nexus-demo.example', role: 'admin' },
  { username: 'engineer', fullName: 'Raj Patel', email: 'engineer@nexus-demo.example', role: 'engineer' },
  { username: 'quality', fullName: 'Maria Gonzalez', email: 'quality@nexus-demo.example', role: 'quality' },
  { username: 'approver', fullName: 'Tom Becker', email: 'approver@nexus-demo.example', role: 'approver' },
  { username: 'operator', fullName: 'Lee Chen', email: 'operator@nexus-demo.example', role: 'operator' },
  { username: 'viewer', fullName: 'Sam Okafor', email: 'viewer@nexus-demo.example', role: 'viewer' },
];
