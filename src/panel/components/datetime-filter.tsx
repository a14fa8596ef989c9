import React from 'react';
import { useTranslation, type FilterPropertyProps } from 'adminjs';
import { Box, DatePicker, FormGroup, Label } from '@adminjs/design-system';

// AdminJS's filter keys for a range: "<path>~~from" and "<path>~~to" (backend/utils/filter).
const SEPARATOR = '~~';

/**
 * A date filter: "from" and "to" (AdminJS's DefaultDatetimeFilterProperty, adminjs 7.8). AdminJS
 * gives the two date inputs no label of their own, only the text "- From:" beside them, so both
 * were read as an unnamed text field. Here the pair is a group named after the field and each
 * input has its label ("From", "To"), so it is read as "Due date, From".
 */
const DatetimeFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange }) => {
  const { translateProperty } = useTranslation();
  const fromKey = `${property.path}${SEPARATOR}from`;
  const toKey = `${property.path}${SEPARATOR}to`;
  const groupId = `filter-${property.path}-label`;
  const fromId = `filter-${property.path}-from`;
  const toId = `filter-${property.path}-to`;
  return (
    <FormGroup variant="filter" role="group" aria-labelledby={groupId}>
      <Label as="span" id={groupId} display="block">
        {translateProperty(property.label, property.resourceId)}
      </Label>
      <Box flex flexDirection="column">
        <Label htmlFor={fromId}>{translateProperty('from')}</Label>
        <DatePicker id={fromId} value={filter[fromKey] as string | undefined} onChange={(date) => onChange(fromKey, date)} propertyType={property.type} />
        <Label htmlFor={toId} mt="default">
          {translateProperty('to')}
        </Label>
        <DatePicker id={toId} value={filter[toKey] as string | undefined} onChange={(date) => onChange(toKey, date)} propertyType={property.type} />
      </Box>
    </FormGroup>
  );
};

export default DatetimeFilter;
