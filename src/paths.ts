import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Source runs from src/ (tsx, jest) and compiled code from dist/src/; both must find the
// same migrations/, seeders/ and component files, so the root is located, not assumed.
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'migrations'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`NEXUS project root not found above ${start}`);
    dir = parent;
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
export const migrationsDir = path.join(projectRoot, 'migrations');
export const componentsDir = path.join(projectRoot, 'src', 'panel', 'components');
export const publicDir = path.join(projectRoot, 'public');
