import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Prisma, createPrismaClient, applyMigrations, type PrismaClient } from '@metamorph/db';
import { createTestDatabase, type TestDatabase } from '@metamorph/testing';
import { parsePrismaSchema } from './prisma-schema.js';
import { modelSamples } from './model-samples.js';

const schema = parsePrismaSchema();

const PG_TYPES: Record<string, string[]> = {
  String: ['text', 'character varying'],
  Int: ['integer'],
  BigInt: ['bigint'],
  Float: ['double precision'],
  Decimal: ['numeric'],
  Boolean: ['boolean'],
  DateTime: ['timestamp with time zone', 'timestamp without time zone'],
  Json: ['jsonb'],
  Bytes: ['bytea'],
};

describe('schema.prisma and the SQL migrations agree (no drift)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  before(async () => {
    db = await createTestDatabase('db_drift');
    prisma = createPrismaClient(db.url);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.close();
  });

  test('applying the migrations again is a no-op', async () => {
    const result = await applyMigrations(db.url);
    assert.deepEqual(result.applied, []);
    assert.ok(result.alreadyApplied.length >= 1);
  });

  test('every table and column matches the schema in name, type and nullability', async () => {
    const { rows } = await db.pool.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_migrations'`,
    );
    const dbTables = new Map<string, Map<string, (typeof rows)[number]>>();
    for (const r of rows) {
      if (!dbTables.has(r.table_name)) dbTables.set(r.table_name, new Map());
      dbTables.get(r.table_name)!.set(r.column_name, r);
    }
    const problems: string[] = [];
    for (const model of schema.models) {
      const cols = dbTables.get(model.table);
      if (!cols) {
        problems.push(`model ${model.name}: table "${model.table}" is missing from the migrations`);
        continue;
      }
      const scalar = model.fields.filter((f) => !f.isRelation);
      for (const f of scalar) {
        const c = cols.get(f.column);
        if (!c) {
          problems.push(`${model.name}.${f.name}: column "${model.table}.${f.column}" is missing`);
          continue;
        }
        const enumInfo = schema.enums.get(f.type);
        if (enumInfo) {
          if (c.udt_name !== enumInfo.dbName) problems.push(`${model.name}.${f.name}: expected enum ${enumInfo.dbName}, got ${c.udt_name}`);
        } else if (f.list) {
          if (c.data_type !== 'ARRAY') problems.push(`${model.name}.${f.name}: expected an array column, got ${c.data_type}`);
        } else if (!PG_TYPES[f.type]?.includes(c.data_type)) {
          problems.push(`${model.name}.${f.name}: ${f.type} cannot be stored in a ${c.data_type} column`);
        }
        if ((c.is_nullable === 'YES') !== f.optional) {
          problems.push(`${model.name}.${f.name}: schema says ${f.optional ? 'optional' : 'required'}, column is ${c.is_nullable === 'YES' ? 'nullable' : 'NOT NULL'}`);
        }
      }
      for (const col of cols.keys()) {
        if (!scalar.some((f) => f.column === col)) problems.push(`table ${model.table}: column "${col}" is not in the schema`);
      }
      dbTables.delete(model.table);
    }
    for (const t of dbTables.keys()) problems.push(`table "${t}" exists in the migrations but no model maps to it`);
    assert.deepEqual(problems, []);
  });

  test('every enum matches the schema', async () => {
    const { rows } = await db.pool.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const dbEnums = new Map(rows.map((r) => [r.typname, r.labels]));
    for (const [name, info] of schema.enums) {
      assert.deepEqual(dbEnums.get(info.dbName), info.values, `enum ${name} (${info.dbName})`);
    }
  });

  test('every model has a write/read sample', () => {
    const missing = schema.models.map((m) => m.name).filter((n) => !(n in modelSamples));
    assert.deepEqual(missing, [], 'add a sample for each new model to libs/db/test/model-samples.ts');
    assert.deepEqual(Object.keys(Prisma.ModelName).sort(), schema.models.map((m) => m.name).sort());
  });

  test('every model can be written and read back through the Prisma client', async () => {
    for (const model of schema.models) {
      const sample = modelSamples[model.name as keyof typeof modelSamples];
      await sample(prisma);
    }
  });
});
