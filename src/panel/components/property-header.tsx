import React from 'react';
import { SortLink, useTranslation, type BasePropertyJSON } from 'adminjs';
import { TableCell } from '@adminjs/design-system';

interface Props {
  property: BasePropertyJSON;
  titleProperty: BasePropertyJSON;
  direction?: 'asc' | 'desc';
  sortBy?: string;
  display?: string | string[];
}

/** AdminJS's thead styles only `td`: a <th> keeps the look of its header cells. */
export const HEADER_CELL_STYLE: React.CSSProperties = { textAlign: 'left', whiteSpace: 'nowrap', fontSize: 12, fontWeight: 700 };

/**
 * A column header of a list. AdminJS draws it as a <td>, so a screen reader finds no column
 * headers and reads every cell without its column's name: this is a <th scope="col"> that also
 * says how the list is sorted.
 */
const PropertyHeader: React.FC<Props> = (props) => {
  const { property, titleProperty, display, sortBy, direction } = props;
  const { translateProperty } = useTranslation();
  const isMain = property.propertyPath === titleProperty.propertyPath;
  const sorted = property.isSortable && sortBy === property.propertyPath;
  return (
    <TableCell
      as="th"
      scope="col"
      style={HEADER_CELL_STYLE}
      className={isMain ? 'main' : undefined}
      display={display}
      aria-sort={sorted ? (direction === 'desc' ? 'descending' : 'ascending') : undefined}
      data-property={property.propertyPath}
    >
      {property.isSortable ? <SortLink {...props} /> : translateProperty(property.label, property.resourceId)}
    </TableCell>
  );
};

export default PropertyHeader;
