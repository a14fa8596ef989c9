import React, { useEffect, useState } from 'react';
import { ApiClient, PropertyLabel, type FilterPropertyProps } from 'adminjs';
import { FormGroup, Select } from '@adminjs/design-system';

interface Option {
  value: string;
  label: string;
}

const api = new ApiClient();

/**
 * The audit log's "User" filter. The stock reference filter searches the user directory, which
 * audit reviewers may not open; this one lists users through the audit log's own action.
 */
const AuditActorFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange }) => {
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    api
      .resourceAction({ resourceId: 'audit_logs', actionName: 'auditActors' })
      .then((response) => {
        const actors = (response.data as unknown as { actors?: Array<{ id: number; label: string }> }).actors ?? [];
        setOptions(actors.map((a) => ({ value: String(a.id), label: a.label })));
      })
      .catch(() => setOptions([]));
  }, []);
  const value = filter[property.path] === undefined ? '' : String(filter[property.path]);
  const selected = options.find((o) => o.value === value) ?? null;
  return (
    <FormGroup>
      <PropertyLabel property={property} filter />
      <Select
        variant="filter"
        value={selected}
        isClearable
        options={options}
        onChange={(choice: Option | null) => onChange(property.path, choice ? choice.value : '')}
      />
    </FormGroup>
  );
};

export default AuditActorFilter;
