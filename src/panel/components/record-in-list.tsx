import React, { useCallback, useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import {
  BasePropertyComponent,
  buildActionClickHandler,
  useActionResponseHandler,
  useModal,
  useTranslation,
  type ActionJSON,
  type ActionResponse,
  type RecordJSON,
  type ResourceJSON,
} from 'adminjs';
import { ButtonGroup, CheckBox, Placeholder, TableCell, TableRow } from '@adminjs/design-system';
import { actionsToButtonGroup, listCellDisplay } from './action-buttons.js';

interface Props {
  resource: ResourceJSON;
  record: RecordJSON;
  actionPerformed?: (action: ActionResponse) => unknown;
  isLoading?: boolean;
  onSelect?: (record: RecordJSON) => void;
  isSelected?: boolean;
}

/**
 * One row of a list (AdminJS's RecordInList, adminjs 7.8, copied: its helpers are not exported).
 * What differs: the selection box says which record it selects ("Select T-26004"); AdminJS's has
 * no label at all, so a screen reader announced a column of identical "checkbox, not checked".
 */
const RecordInList: React.FC<Props> = (props) => {
  const { resource, record: recordFromProps, actionPerformed, isLoading, onSelect, isSelected } = props;
  const [record, setRecord] = useState<RecordJSON>(recordFromProps);
  const navigate = useNavigate();
  const location = useLocation();
  const translateFunctions = useTranslation();
  const modalFunctions = useModal();

  const handleActionCallback = useCallback(
    (response: ActionResponse) => {
      const returned = (response as { record?: RecordJSON }).record;
      if (returned && !response.redirectUrl) {
        // AdminJS's mergeRecordResponse: the new actions and errors, params and populated merged.
        setRecord({
          ...returned,
          errors: returned.errors,
          populated: { ...record.populated, ...returned.populated },
          params: { ...record.params, ...returned.params },
        });
      } else if (actionPerformed) {
        actionPerformed(response);
      }
    },
    [actionPerformed, record],
  );
  const actionResponseHandler = useActionResponseHandler(handleActionCallback);

  useEffect(() => {
    setRecord(recordFromProps);
  }, [recordFromProps]);

  const { recordActions } = record;
  const open = recordActions.find(({ name }) => name === 'show') ?? recordActions.find(({ name }) => name === 'edit');
  const actionParams = { resourceId: resource.id, recordId: record.id };
  const clickHandler = (action: ActionJSON) =>
    buildActionClickHandler({ action, params: actionParams, actionResponseHandler, navigate, location, translateFunctions, modalFunctions });

  // A click anywhere on the row opens the record, except on its own links, buttons and boxes.
  const handleRowClick = (event: React.MouseEvent): void => {
    const tag = (event.target as HTMLElement).tagName.toLowerCase();
    if (open && tag !== 'a' && tag !== 'button' && tag !== 'svg' && tag !== 'input') clickHandler(open)(event);
  };

  const buttons = [
    {
      icon: 'MoreHorizontal',
      variant: 'light' as const,
      label: undefined,
      'data-testid': 'actions-dropdown',
      buttons: actionsToButtonGroup(recordActions, actionParams, (event, action) => clickHandler(action)(event), translateFunctions.translateAction),
    },
  ];

  return (
    <TableRow className={isSelected ? 'selected' : 'not-selected'} onClick={handleRowClick} data-id={record.id} data-css={`${resource.id}-table-row`}>
      <TableCell width={0}>
        {onSelect && record.bulkActions.length ? (
          <CheckBox onChange={() => onSelect(record)} checked={isSelected} aria-label={`Select ${record.title || `#${record.id}`}`} />
        ) : null}
      </TableCell>
      {resource.listProperties.map((property) => (
        <TableCell
          style={{ cursor: 'pointer' }}
          key={property.propertyPath}
          data-property-name={property.propertyPath}
          display={listCellDisplay(property.isTitle)}
          data-css={`${resource.id}-${property.name}-table-cell`}
        >
          {isLoading ? (
            <Placeholder style={{ height: 14 }} />
          ) : (
            <BasePropertyComponent key={property.propertyPath} where="list" property={property} resource={resource} record={record} />
          )}
        </TableCell>
      ))}
      <TableCell key="options" className="options">
        {recordActions.length ? <ButtonGroup buttons={buttons} /> : null}
      </TableCell>
    </TableRow>
  );
};

export default RecordInList;
