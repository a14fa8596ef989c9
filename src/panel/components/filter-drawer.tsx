import React, { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { BasePropertyComponent, useFilterDrawer, useQueryParams, useTranslation, type RecordJSON, type ResourceJSON } from 'adminjs';
import { Box, Button, Drawer, DrawerContent, DrawerFooter, H3, Icon } from '@adminjs/design-system';
import { FILTER_DRAWER_ID } from './action-buttons.js';

interface Props {
  resource: ResourceJSON;
}

/**
 * A list's filter drawer (AdminJS's FilterDrawer, adminjs 7.8, copied). What differs: it has the
 * id the Filter button controls and a name; closed, it is hidden from screen readers and the Tab
 * key (AdminJS only slides it off screen, where keyboard focus still went); opened, focus moves
 * into it and Escape closes it; its close button has a name.
 */
const FilterDrawer: React.FC<Props> = ({ resource }) => {
  const properties = resource.filterProperties;
  const [filter, setFilter] = useState<Record<string, unknown>>({});
  const params = useParams<{ resourceId: string }>();
  const { translateButton, translateLabel } = useTranslation();
  const initialLoad = useRef(true);
  const heading = useRef<HTMLHeadingElement>(null);
  const { isVisible, toggleFilter } = useFilterDrawer();
  const { storeParams, clearParams, filters } = useQueryParams();

  useEffect(() => {
    if (initialLoad.current) initialLoad.current = false;
    else setFilter({});
  }, [params.resourceId]);

  useEffect(() => {
    if (filters) setFilter(filters);
  }, [filters]);

  useEffect(() => {
    if (isVisible) heading.current?.focus();
  }, [isVisible]);

  const handleSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const chosen = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== null));
    storeParams({ filters: chosen, page: '1' });
  };

  const handleReset = (event: React.SyntheticEvent) => {
    event.preventDefault();
    clearParams('filters');
    setFilter({});
  };

  const handleChange = (propertyName: string | RecordJSON, value: unknown): void => {
    if (typeof propertyName !== 'string') throw new Error('you can not pass RecordJSON to filters');
    setFilter({ ...filter, [propertyName]: typeof value === 'string' && !value.length ? undefined : value });
  };

  const title = translateLabel('filters', resource.id);
  const headingId = `${FILTER_DRAWER_ID}-title`;

  return (
    <Drawer
      id={FILTER_DRAWER_ID}
      variant="filter"
      isHidden={!isVisible}
      as="form"
      aria-labelledby={headingId}
      onSubmit={handleSubmit}
      onReset={handleReset}
      onKeyDown={(event: React.KeyboardEvent) => {
        if (event.key === 'Escape' && isVisible) toggleFilter();
      }}
      data-css={`${resource.id}-filter-drawer`}
      // Shown at once when opening (focus can move in), hidden only once it has slid away.
      style={{
        visibility: isVisible ? 'visible' : 'hidden',
        transition: isVisible ? 'transform 0.25s ease-in-out' : 'transform 0.25s ease-in-out, visibility 0s linear 0.25s',
      }}
    >
      <DrawerContent data-css={`${resource.id}-filter-drawer-content`}>
        <Box flex justifyContent="space-between">
          <H3 id={headingId} ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
            {title}
          </H3>
          <Button
            type="button"
            variant="light"
            size="icon"
            rounded
            color="text"
            onClick={toggleFilter}
            aria-label={`${translateButton('cancel', resource.id)}: ${title}`}
          >
            <Icon icon="X" />
          </Button>
        </Box>
        <Box my="x3">
          {properties.map((property) => (
            <BasePropertyComponent key={property.propertyPath} where="filter" onChange={handleChange} property={property} filter={filter} resource={resource} />
          ))}
        </Box>
      </DrawerContent>
      <DrawerFooter data-css={`${resource.id}-filter-drawer-footer`}>
        <Button type="button" variant="light" onClick={handleReset} data-css={`${resource.id}-filter-drawer-button-reset`}>
          {translateButton('resetFilter', resource.id)}
        </Button>
        <Button type="submit" variant="contained" data-css={`${resource.id}-filter-drawer-button-apply`}>
          {translateButton('applyChanges', resource.id)}
        </Button>
      </DrawerFooter>
    </Drawer>
  );
};

export default FilterDrawer;
