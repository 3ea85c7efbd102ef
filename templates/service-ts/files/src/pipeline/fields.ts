// Fields of a document by a JSON Schema, read from its `Name: value` lines: the local tier of an extract service
// (src/extract/patterns.ts) and the dev fake's extraction (src/dev/fake-llm.ts). A field is found on the line that
// starts with its name in words (invoiceNumber: "Invoice number:"), and read as the schema's type asks.

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  pattern?: string;
};

const types = (schema: JsonSchema | undefined): string[] =>
  schema?.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];

/** invoiceNumber, invoice_number: the words "invoice number". */
const wordsOf = (name: string): string[] =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lineValue(name: string, text: string): string | undefined {
  const words = wordsOf(name).map(escape).join('[\\s_-]*');
  return new RegExp(`^[\\s*-]*${words}\\s*[:#]\\s*(.+?)\\s*$`, 'im').exec(text)?.[1];
}

function numberIn(value: string): number | undefined {
  const match = /-?\d[\d,]*(?:\.\d+)?/.exec(value);
  if (!match) return undefined;
  const number = Number(match[0].replace(/,/g, ''));
  return Number.isFinite(number) ? number : undefined;
}

function read(schema: JsonSchema, value: string): unknown {
  const kinds = types(schema);
  if (kinds.includes('number') || kinds.includes('integer')) return numberIn(value);
  if (schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return /\d{4}-\d{2}-\d{2}/.exec(value)?.[0];
  if (schema.pattern === '^[A-Z]{3}$') return /\b[A-Z]{3}\b/.exec(value)?.[0];
  return value;
}

/** Items of an array of { text, number } objects: the document's `- description  amount` lines. */
function items(schema: JsonSchema, text: string): Record<string, unknown>[] {
  const properties = Object.entries(schema.properties ?? {});
  const textField = properties.find(([, field]) => types(field).includes('string'))?.[0];
  const numberField = properties.find(([name, field]) => types(field).includes('number') && (schema.required ?? []).includes(name))?.[0];
  if (!textField || !numberField) return [];
  const found: Record<string, unknown>[] = [];
  for (const match of text.matchAll(/^\s*[-*]\s+(.+?)\s+(-?\d[\d,]*(?:\.\d+)?)\s*$/gm))
    found.push({ [textField]: match[1]!.replace(/[\s.:]+$/, ''), [numberField]: Number(match[2]!.replace(/,/g, '')) });
  return found;
}

/** The fields the document shows, null (when allowed) for those it does not, and the share of required fields found. */
export function extractFields(schema: JsonSchema, text: string): { value: Record<string, unknown>; found: number } {
  const value: Record<string, unknown> = {};
  const required = schema.required ?? Object.keys(schema.properties ?? {});
  let hits = 0;
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    let found: unknown;
    if (types(field).includes('array')) found = field.items ? items(field.items, text) : [];
    else {
      const raw = lineValue(name, text);
      found = raw === undefined ? undefined : read(field, raw);
    }
    const empty = found === undefined || (Array.isArray(found) && found.length === 0);
    if (!empty && required.includes(name)) hits++;
    if (found !== undefined) value[name] = found;
    else if (types(field).includes('null')) value[name] = null;
  }
  return { value, found: required.length === 0 ? 1 : hits / required.length };
}
