import React from 'react';
import { Input } from '@adminjs/design-system';
import type { Routing } from '../../../records/routing.service.js';
import type { FieldErrors } from './routing-api.js';
import type { Draft, FieldChange } from './routing-state.js';

const errorText: React.CSSProperties = { color: '#b91c1c', fontSize: 12, marginTop: 2, display: 'block', maxWidth: 220, whiteSpace: 'normal' };
const selectStyle: React.CSSProperties = {
  height: 36,
  border: '1px solid #898a9a',
  borderRadius: 2,
  padding: '0 6px',
  background: '#fff',
  font: 'inherit',
  maxWidth: 240,
};

/** A row of fields with their labels above them (a step's forms). */
export const rowForm: React.CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'flex-start' };

interface FieldProps {
  id: string;
  name: string;
  label: string;
  draft: Draft;
  onChange: FieldChange;
  errors?: FieldErrors;
  form?: string;
  type?: 'text' | 'number' | 'checkbox';
  width?: number;
  inputRef?: React.Ref<HTMLInputElement>;
  /** Shown above the field when the row has no column headers (the add-step row). */
  visibleLabel?: boolean;
}

/** One field of an inline row, with its message right under it (and tied to it for screen readers). */
export const Field: React.FC<FieldProps> = ({ id, name, label, draft, onChange, errors, form, type = 'text', width, inputRef, visibleLabel }) => {
  const inputId = `${id}-${name}`;
  const error = errors?.[name];
  const described = error ? `${inputId}-error` : undefined;
  const labelNode = visibleLabel ? (
    <label htmlFor={inputId} style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
      {label}
    </label>
  ) : null;
  if (type === 'checkbox') {
    return (
      <span style={{ display: 'inline-block' }}>
        {labelNode}
        <input
          id={inputId}
          name={name}
          type="checkbox"
          form={form}
          checked={draft[name] === true}
          aria-label={visibleLabel ? undefined : label}
          aria-invalid={!!error}
          aria-describedby={described}
          onChange={(e) => onChange(name, e.target.checked)}
          style={{ width: 18, height: 18, marginTop: visibleLabel ? 8 : 9 }}
        />
        {error ? (
          <span id={described} style={errorText}>
            {error}
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <span style={{ display: 'inline-block', width }}>
      {labelNode}
      <Input
        id={inputId}
        name={name}
        form={form}
        ref={inputRef}
        value={String(draft[name] ?? '')}
        aria-label={visibleLabel ? undefined : label}
        aria-invalid={!!error}
        aria-describedby={described}
        inputMode={type === 'number' ? 'decimal' : undefined}
        style={{ width: '100%', borderColor: error ? '#b91c1c' : undefined }}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(name, e.target.value)}
      />
      {error ? (
        <span id={described} style={errorText} data-testid={`${inputId}-error`}>
          {error}
        </span>
      ) : null}
    </span>
  );
};

export const WorkCenterField: React.FC<{
  id: string;
  draft: Draft;
  onChange: FieldChange;
  errors?: FieldErrors;
  centers: Routing['workCenters'];
  visibleLabel?: boolean;
}> = ({ id, draft, onChange, errors, centers, visibleLabel }) => {
  const inputId = `${id}-work_center_id`;
  const error = errors?.work_center_id;
  return (
    <span style={{ display: 'inline-block' }}>
      {visibleLabel ? (
        <label htmlFor={inputId} style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
          Work center
        </label>
      ) : null}
      <select
        id={inputId}
        name="work_center_id"
        value={String(draft.work_center_id ?? '')}
        aria-label={visibleLabel ? undefined : 'Work center'}
        aria-invalid={!!error}
        aria-describedby={error ? `${inputId}-error` : undefined}
        style={{ ...selectStyle, borderColor: error ? '#b91c1c' : (selectStyle.border as string) }}
        onChange={(e) => onChange('work_center_id', e.target.value)}
      >
        <option value="">Choose…</option>
        {centers.map((c) => (
          <option key={c.id} value={String(c.id)}>
            {c.label}
          </option>
        ))}
      </select>
      {error ? (
        <span id={`${inputId}-error`} style={errorText} data-testid={`${inputId}-error`}>
          {error}
        </span>
      ) : null}
    </span>
  );
};
