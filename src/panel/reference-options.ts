import type { ResourceOptions } from 'adminjs';
import type { Model, ModelStatic } from 'sequelize';
import { Components } from './component-loader.js';
import { TITLE_PROPERTY, hasPanelTitle } from '../records/record-title-sql.js';

type PropertyOptions = NonNullable<ResourceOptions['properties']>[string];

/**
 * Gives a resource the panel's way of naming and choosing records, so that each resource file
 * only says what is particular to it (a field that depends on another: `custom.dependsOn`):
 * its title (panel-titles.ts) as AdminJS's title property and as the first filter ("Search"),
 * and the reference picker on every reference field of its form.
 */
export function withTitlesAndPickers(model: ModelStatic<Model>, options: ResourceOptions, labels: Record<string, string>): ResourceOptions {
  if (!hasPanelTitle(model)) return options;
  const properties: Record<string, PropertyOptions> = { ...options.properties };
  properties[TITLE_PROPERTY] = {
    type: 'string',
    isSortable: true,
    isVisible: { list: false, show: false, edit: false, filter: true },
    description: 'Any part of the name or number; every word must match.',
  };
  const editable = new Set(options.editProperties ?? []);
  for (const [field, attribute] of Object.entries(model.getAttributes())) {
    if (!attribute.references || !editable.has(field)) continue;
    const own = properties[field] ?? {};
    const custom = (own.custom ?? {}) as { dependsOn?: string };
    properties[field] = {
      ...own,
      components: { edit: Components.ReferencePicker, ...own.components },
      custom: { ...custom, ...(custom.dependsOn && { dependsOnLabel: (labels[custom.dependsOn] ?? custom.dependsOn).toLowerCase() }) },
    };
  }
  return {
    ...options,
    titleProperty: TITLE_PROPERTY,
    filterProperties: options.filterProperties ? [TITLE_PROPERTY, ...options.filterProperties] : undefined,
    properties,
  };
}
