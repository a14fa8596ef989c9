import React from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Link as RouterLink } from 'react-router-dom';
import {
  Breadcrumbs,
  buildActionClickHandler,
  useActionResponseHandler,
  useFilterDrawer,
  useModal,
  useTranslation,
  type ActionHeaderProps,
  type ActionJSON,
} from 'adminjs';
import { Badge, Box, ButtonCSS, ButtonGroup, H2, H3, Icon, type ButtonInGroupProps } from '@adminjs/design-system';
import { styled } from '@adminjs/design-system/styled-components';
import { FILTER_DRAWER_ID, actionsToButtonGroup } from './action-buttons.js';
import { describePage } from './page-title.js';

// AdminJS's StyledBackButton (not exported from its bundle): a router link drawn as a button.
// `rounded` and `size` are the button's styling props, kept off the DOM link.
const BackLink = styled(({ rounded, size, ...rest }: Record<string, unknown>) => (
  <RouterLink {...(rest as unknown as React.ComponentProps<typeof RouterLink>)} />
))`
  ${ButtonCSS}
`;

const ACTIONS_WRAP: React.CSSProperties = { display: 'flex', flexWrap: 'wrap', rowGap: 8 };

/**
 * The header of every action page (AdminJS's ActionHeader, adminjs 7.8, copied: its pieces are
 * not reachable from outside). What differs: "Filter" is a real <button> that says whether the
 * filter drawer is open and which element it controls (AdminJS draws an <a> without href, which a
 * keyboard cannot reach and a screen reader does not call a button), and the icon-only "back"
 * link of a drawer has a name; and a record with many actions wraps them instead of drawing
 * them over its title.
 */
const ActionHeader: React.FC<ActionHeaderProps> = (props) => {
  const { resource, actionPerformed, record, action, tag, omitActions, toggleFilter: isFilterButtonVisible } = props;
  const translateFunctions = useTranslation();
  const { translateButton, translateAction } = translateFunctions;
  const navigate = useNavigate();
  const location = useLocation();
  const actionResponseHandler = useActionResponseHandler(actionPerformed);
  const modalFunctions = useModal();
  const { toggleFilter, filtersCount, isVisible } = useFilterDrawer();

  if (action.hideActionHeader) return null;

  const resourceId = resource.id;
  const params = { resourceId, recordId: record?.id };
  const handleActionClick = (event: React.MouseEvent, sourceAction: ActionJSON): unknown =>
    buildActionClickHandler({
      action: sourceAction,
      params,
      actionResponseHandler,
      navigate,
      location,
      translateFunctions,
      modalFunctions,
    })(event);

  const actionButtons = actionsToButtonGroup(
    record
      ? record.recordActions.filter((ra) => action.name !== ra.name)
      : // Only "new" shows among the big buttons of a resource's page.
        resource.resourceActions.filter((ra) => ra.name === 'new' && action.name !== ra.name),
    params,
    handleActionClick,
    translateAction,
  );

  if (typeof isFilterButtonVisible === 'function' || isFilterButtonVisible) {
    actionButtons.push({
      label: translateButton(filtersCount > 0 ? 'filterActive' : 'filter', resource.id, { count: filtersCount }),
      onClick: toggleFilter,
      icon: 'Filter',
      'data-css': `${resource.id}-filter-button`,
      // ButtonGroup spreads these over its element, replacing its `as="a"`.
      as: 'button',
      type: 'button',
      'aria-expanded': isVisible,
      'aria-controls': FILTER_DRAWER_ID,
    } as ButtonInGroupProps);
  }

  // "list" and "new" are placed by AdminJS; the resource's other actions go above the title.
  const customResourceButtons = actionsToButtonGroup(
    action.showResourceActions ? resource.resourceActions.filter((ra) => !['list', 'new'].includes(ra.name)) : [],
    { resourceId },
    handleActionClick,
    translateAction,
  );

  // Named for what is on the page ("Traveler T-26007", "New work order"), as the tab title is
  // (page-title.ts), not for the action ("Show", "Create new").
  const title = describePage({
    resourceName: translateFunctions.translateLabel(resource.name, resource.id),
    actionName: action.name,
    actionLabel: translateAction(action.label, resourceId),
    ...(record && { recordId: String(record.id), recordTitle: record.title }),
  });
  const inDrawer = Boolean(action.showInDrawer);
  const Heading = inDrawer ? H3 : H2;

  return (
    <Box className="adminjs_ActionHeader" data-css={`${resourceId}-${action.name}-action-header`}>
      {!inDrawer && (
        <Box flex flexDirection="row" px={['default', 0]}>
          <Breadcrumbs resource={resource} actionName={action.name} record={record} />
          <Box flexShrink={0}>
            <ButtonGroup size="sm" rounded buttons={customResourceButtons} />
          </Box>
        </Box>
      )}
      <Box display={['block', inDrawer ? 'block' : 'flex']}>
        <Box mt={inDrawer ? '' : 'lg'} flexGrow={1} flexShrink={0} px={['default', 0]}>
          <Heading mb="lg">
            {inDrawer && (
              <BackLink
                size="icon"
                rounded
                mr="lg"
                to={{ pathname: '..', search: location.search }}
                relative="route"
                aria-label={translateButton('cancel', resourceId)}
              >
                <Icon icon="ChevronRight" />
              </BackLink>
            )}
            {title}
            {tag ? (
              <Badge variant="default" outline ml="default">
                {tag}
              </Badge>
            ) : null}
          </Heading>
        </Box>
        {!omitActions && (
          <Box mt="xl" mb={inDrawer ? 'xl' : 'default'} flexShrink={1} minWidth={0} ml={[0, inDrawer ? 0 : 'xl']} px={['default', 0]}>
            {/* Many actions wrap onto a second row instead of running under the title and off the page. */}
            <ButtonGroup buttons={actionButtons} {...({ style: ACTIONS_WRAP } as object)} />
          </Box>
        )}
      </Box>
    </Box>
  );
};

export default ActionHeader;
