import React, { useMemo } from 'react';
import { New, type ActionProps, type RecordJSON } from 'adminjs';

/** What a resource's "new" action may propose (action.custom, see panel/form-defaults.ts). */
interface FormDefaults {
  defaults?: Record<string, string>;
  /** A due date this many days from the person's today. */
  dueDateInDays?: number;
}

/** YYYY-MM-DD of the person's own calendar day, not UTC's. */
function localDate(daysAhead: number): string {
  const d = new Date();
  d.setDate(d.getDate() + daysAhead);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * AdminJS's own create form, started with the values a planner would type anyway. The record is
 * made once per form: AdminJS resets the form whenever the record given to it changes.
 */
const NewWithDefaults: React.FC<ActionProps> = (props) => {
  const custom = (props.action.custom ?? {}) as FormDefaults;
  const record = useMemo<RecordJSON>(() => {
    const params: Record<string, string> = { ...custom.defaults };
    if (typeof custom.dueDateInDays === 'number') params.due_date = localDate(custom.dueDateInDays);
    return { id: '', title: '', params, populated: {}, errors: {}, baseError: null, recordActions: [], bulkActions: [] };
    // Made once: the defaults are the form's starting values, not kept in step with later props.
  }, []);
  return <New {...props} record={record} />;
};

export default NewWithDefaults;
