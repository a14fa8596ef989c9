import type { ResourceOptions } from 'adminjs';

type ActionOptions = NonNullable<NonNullable<ResourceOptions['actions']>['new']>;
import { Components } from './component-loader.js';

/** Settings behind the values a create form starts with (config: WORK_ORDER_LEAD_DAYS). */
export interface FormDefaultSettings {
  workOrderLeadDays: number;
}

/**
 * Values each create form starts with, by resource. Status is not among them to be chosen: a work
 * order starts open (models/work-order.model.ts refuses any other), the form only shows it.
 */
function defaultsOf(resourceId: string, settings: FormDefaultSettings): Record<string, unknown> | null {
  switch (resourceId) {
    case 'work_orders':
      return { defaults: { priority: 'normal', status: 'open' }, dueDateInDays: settings.workOrderLeadDays };
    default:
      return null;
  }
}

/** The resource's "new" action, starting its form from defaultsOf(). */
export function withFormDefaults(options: ResourceOptions, settings: FormDefaultSettings): ResourceOptions {
  const custom = defaultsOf(options.id as string, settings);
  if (!custom) return options;
  const actions = options.actions ?? {};
  const created: ActionOptions = { ...actions.new, component: Components.NewWithDefaults, custom };
  return { ...options, actions: { ...actions, new: created } as ResourceOptions['actions'] };
}
