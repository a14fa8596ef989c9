import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';

export const SEEDS_TABLE = 'schema_seeds';

// Seeders are compiled with the app (dist/seeders/*.js) and run from source under tsx and jest.
const seedersDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'seeders');

export interface SeederContext {
  sequelize: Sequelize;
}

/** Demo and reference data, each seeder run once per database (recorded in schema_seeds). */
export function createSeeder(sequelize: Sequelize) {
  return new Umzug<SeederContext>({
    migrations: {
      glob: ['*.seeder.{ts,js}', { cwd: seedersDir, ignore: ['*.d.ts'] }],
      resolve: ({ name, path: file, context }) => ({
        name: name.replace(/\.(ts|js)$/, ''),
        up: async () => {
          const module = (await import(file!)) as { up: (ctx: SeederContext) => Promise<void> };
          await module.up(context);
        },
        down: async () => {
          const module = (await import(file!)) as { down?: (ctx: SeederContext) => Promise<void> };
          if (!module.down) throw new Error(`seeder ${name} cannot be undone`);
          await module.down(context);
        },
      }),
    },
    context: { sequelize },
    storage: new SequelizeStorage({ sequelize, modelName: 'SchemaSeed', tableName: SEEDS_TABLE, timestamps: true }),
    logger: undefined,
  });
}
