import React, { useMemo } from 'react';
import { ApiClient, useTranslation } from 'adminjs';
import { FormGroup, FormMessage, Label, SelectAsync, Text } from '@adminjs/design-system';

// What panel/reference-options.ts puts into a reference property's `custom`.
interface PickerCustom {
  /** A field of this form whose value narrows the choice (a work order's revision among its part's). */
  dependsOn?: string;
  dependsOnLabel?: string;
}

interface RecordJSON {
  id: string;
  title: string;
  params: Record<string, unknown>;
  populated?: Record<string, RecordJSON | null | undefined>;
  errors?: Record<string, { message: string } | undefined>;
}

interface Props {
  resource: { id: string };
  property: { path: string; label: string; reference: string | null; isRequired?: boolean; isDisabled?: boolean; description?: string; custom?: PickerCustom };
  record?: RecordJSON;
  onChange: (path: string, value: unknown, selected?: RecordJSON) => void;
}

interface Option {
  value: string;
  label: string;
  record?: RecordJSON;
}

const api = new ApiClient();

/**
 * The reference field of a form. It offers records by their full title ("ORB-7001 rev A"),
 * searches every word typed anywhere in it, offers only what may be chosen now (no obsolete
 * revision, no inactive customer), and, when the field depends on another (a revision on the
 * part), only the records that belong to what was chosen there. The server applies the same
 * filters (records/record-title-sql.ts); the service still checks whatever is saved.
 */
const ReferencePicker: React.FC<Props> = ({ resource, property, record, onChange }) => {
  const { translateProperty } = useTranslation();
  const label = translateProperty(property.label, resource.id);
  const resourceId = property.reference;
  const inputId = `field-${property.path}`;
  const dependsOn = property.custom?.dependsOn;
  const parentValue = dependsOn ? record?.params?.[dependsOn] : undefined;
  const waitingForParent = Boolean(dependsOn) && (parentValue === undefined || parentValue === null || parentValue === '');
  const error = record?.errors?.[property.path];
  const selectedId = record?.params?.[property.path];
  const populated = record?.populated?.[property.path];

  const selected: Option | null = useMemo(() => {
    if (selectedId === undefined || selectedId === null || selectedId === '') return null;
    return { value: String(selectedId), label: populated?.title ?? `#${String(selectedId)}` };
  }, [selectedId, populated?.title]);

  if (!resourceId) return null;

  const loadOptions = async (input: string): Promise<Option[]> => {
    const params: Record<string, string> = { 'filters.choosable': 'true', sortBy: 'title', direction: 'asc' };
    if (dependsOn && !waitingForParent) params[`filters.${dependsOn}`] = String(parentValue);
    const response = await api.resourceAction({ resourceId, actionName: 'search', query: input, params });
    const records = (response.data as unknown as { records?: RecordJSON[] }).records ?? [];
    return records.map((r) => ({ value: r.id, label: r.title, record: r }));
  };

  return (
    <FormGroup error={Boolean(error)} data-testid={`picker-${property.path}`}>
      <Label htmlFor={inputId} required={property.isRequired}>
        {label}
      </Label>
      <SelectAsync
        // A new parent means a new list of choices.
        key={String(parentValue ?? '')}
        inputId={inputId}
        aria-label={label}
        cacheOptions
        defaultOptions={!waitingForParent}
        loadOptions={loadOptions}
        value={selected}
        isClearable
        isDisabled={property.isDisabled || waitingForParent}
        placeholder={waitingForParent ? `Choose the ${property.custom?.dependsOnLabel ?? dependsOn} first` : 'Type any part of the name or number…'}
        noOptionsMessage={({ inputValue }: { inputValue: string }) => (inputValue ? `Nothing matches “${inputValue}”` : 'Nothing to choose')}
        onChange={(option: Option | null) => onChange(property.path, option ? option.value : null, option?.record)}
      />
      {property.description ? (
        <Text variant="sm" color="grey60" mt="sm">
          {property.description}
        </Text>
      ) : null}
      <FormMessage role={error ? 'alert' : undefined}>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default ReferencePicker;
