import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Just enough of prisma/schema.prisma to compare it with the migrated database. */
export interface SchemaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  isRelation: boolean;
  nativeType?: string;
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
}

export interface ParsedSchema {
  models: SchemaModel[];
  enums: Map<string, { dbName: string; values: string[] }>;
}

export const SCHEMA_PATH = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));

const SCALARS = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

export function parsePrismaSchema(text = readFileSync(SCHEMA_PATH, 'utf8')): ParsedSchema {
  const lines = text.split('\n').map((l) => l.replace(/\/\/.*$/, '').trim());
  const models: SchemaModel[] = [];
  const enums: ParsedSchema['enums'] = new Map();
  const blocks: { kind: string; name: string; body: string[] }[] = [];
  let current: { kind: string; name: string; body: string[] } | null = null;
  for (const line of lines) {
    const open = /^(model|enum)\s+(\w+)\s*\{$/.exec(line);
    if (open) {
      current = { kind: open[1], name: open[2], body: [] };
      continue;
    }
    if (line === '}' && current) {
      blocks.push(current);
      current = null;
      continue;
    }
    if (current && line) current.body.push(line);
  }
  for (const b of blocks.filter((b) => b.kind === 'enum')) {
    const map = b.body.find((l) => l.startsWith('@@map('));
    enums.set(b.name, {
      dbName: map ? /"([^"]+)"/.exec(map)![1] : b.name,
      values: b.body.filter((l) => /^\w+$/.test(l)),
    });
  }
  for (const b of blocks.filter((b) => b.kind === 'model')) {
    const map = b.body.find((l) => l.startsWith('@@map('));
    const fields: SchemaField[] = [];
    for (const l of b.body) {
      if (l.startsWith('@@')) continue;
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(l);
      if (!m) continue;
      const [, name, type, list, optional, attrs] = m;
      const column = /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? name;
      const isRelation = !SCALARS.has(type) && !enums.has(type);
      fields.push({
        name,
        column,
        type,
        optional: !!optional,
        list: !!list,
        isRelation,
        nativeType: /@db\.(\w+(?:\([^)]*\))?)/.exec(attrs)?.[1],
      });
    }
    models.push({ name: b.name, table: map ? /"([^"]+)"/.exec(map)![1] : b.name, fields });
  }
  return { models, enums };
}
