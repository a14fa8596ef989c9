import React from 'react';
import { PropertyHeader, type BasePropertyJSON } from 'adminjs';
import { CheckBox, TableCell, TableHead, TableRow } from '@adminjs/design-system';
import { listCellDisplay } from './action-buttons.js';
import { VISUALLY_HIDDEN } from './visually-hidden.js';
import { HEADER_CELL_STYLE } from './property-header.js';

interface Props {
  titleProperty: BasePropertyJSON;
  properties: BasePropertyJSON[];
  sortBy?: string;
  direction?: 'asc' | 'desc';
  onSelectAll?: () => unknown;
  selectedAll?: boolean;
}

/**
 * The header row of a list (AdminJS's RecordsTableHeader, adminjs 7.8). AdminJS draws it with
 * <td> cells: here every column has a <th scope="col"> with a name, the selection column and the
 * actions column included (their names are for screen readers only), and the select-all box says
 * what it selects.
 */
const RecordsTableHeader: React.FC<Props> = (props) => {
  const { titleProperty, properties, sortBy, direction, onSelectAll, selectedAll } = props;
  const resourceId = titleProperty.resourceId;
  return (
    <TableHead data-css={`${resourceId}-table-head`}>
      <TableRow data-css={`${resourceId}-table-head-row`}>
        <TableCell as="th" scope="col" style={HEADER_CELL_STYLE} data-css={`${resourceId}-checkbox-table-cell`}>
          {onSelectAll ? (
            <CheckBox style={{ marginLeft: 5 }} onChange={() => onSelectAll()} checked={selectedAll} aria-label="Select all rows on this page" />
          ) : (
            <span style={VISUALLY_HIDDEN}>Selection</span>
          )}
        </TableCell>
        {properties.map((property) => (
          <PropertyHeader
            display={listCellDisplay(property.isTitle)}
            key={property.propertyPath}
            titleProperty={titleProperty}
            property={property}
            sortBy={sortBy}
            direction={direction}
          />
        ))}
        <TableCell as="th" scope="col" key="actions" style={{ ...HEADER_CELL_STYLE, width: 80 }}>
          <span style={VISUALLY_HIDDEN}>Actions</span>
        </TableCell>
      </TableRow>
    </TableHead>
  );
};

export default RecordsTableHeader;
