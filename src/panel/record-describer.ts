import type AdminJS from 'adminjs';
import type { RecordDescriber } from '../audit/audit-history.service.js';
import { startCase } from '../shared/value-format.js';

interface Translations {
  labels?: Record<string, string>;
  resources?: Record<string, { properties?: Record<string, string> }>;
}

const humanize = (name: string) =>
  name
    .replace(/_id$/, '')
    .replace(/_/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

/**
 * The resource labels (each resource file's `labels`) as the panel was given them in its
 * translations. Read back from the AdminJS instance because action handlers, which live in the
 * resource files, cannot import the resource list without an import cycle.
 */
export function describerFor(admin: AdminJS): RecordDescriber {
  // A locale given as a function (per user) is not used by NEXUS; labels then fall back to names.
  const locale = typeof admin.options.locale === 'function' ? undefined : admin.options.locale;
  const translations = (locale?.translations?.[locale.language] ?? {}) as Translations;
  // A fixed value (a status, a role) by the label its badge shows in the panel (value-badge.tsx).
  const valueLabels = new Map<string, Map<string, string> | null>();
  const labelsOf = (table: string, field: string) => {
    const key = `${table}.${field}`;
    if (!valueLabels.has(key)) {
      const property = admin.resources
        .find((r) => r.id() === table)
        ?.decorate()
        .getPropertyByKey(field);
      const values = property?.availableValues() ?? null;
      valueLabels.set(key, values ? new Map(values.map((o) => [String(o.value), startCase(String(o.label ?? o.value))])) : null);
    }
    return valueLabels.get(key);
  };
  return {
    tableLabel: (table) => translations.labels?.[table] ?? humanize(table),
    fieldLabel: (table, field) => translations.resources?.[table]?.properties?.[field] ?? humanize(field),
    valueLabel: (table, field, value) => labelsOf(table, field)?.get(value),
  };
}
