import React from 'react';
import { useNavigationResources, useTranslation, type ResourceJSON } from 'adminjs';
import {
  Box,
  Icon,
  Label,
  NavigationElement,
  StyledNavigation,
  StyledNavigationElement,
  Title,
  type NavigationElementWithChildrenProps,
} from '@adminjs/design-system';

interface Props {
  resources: ResourceJSON[];
}

// A <button> drawn like the menu's links: no border, no button font, full width, text to the left.
const GROUP_BUTTON_STYLE: React.CSSProperties = { width: '100%', border: 0, font: 'inherit', textAlign: 'left' };

const Group: React.FC<{ element: NavigationElementWithChildrenProps; index: number }> = ({ element, index }) => {
  const listId = `nav-group-${index}`;
  const open = Boolean(element.isOpen);
  return (
    <li>
      <StyledNavigationElement
        as="button"
        type="button"
        flex
        flexDirection="row"
        isOpen={open}
        aria-expanded={open}
        aria-controls={listId}
        data-testid="nav-group"
        style={GROUP_BUTTON_STYLE}
        onClick={(event: React.MouseEvent<HTMLAnchorElement, MouseEvent>) => element.onClick?.(event, element)}
      >
        {element.icon && (
          <Box className="icon-box" as="span">
            <Icon icon={element.icon} />
          </Box>
        )}
        <Title>{element.label}</Title>
        <Box className="arrow-box" as="span">
          <Icon icon={open ? 'ChevronUp' : 'ChevronDown'} />
        </Box>
      </StyledNavigationElement>
      {/* Only an open group's entries are in the page, as in AdminJS (a closed one's are not found by tests or Find). */}
      {open ? (
        <ul id={listId}>
          {(element.elements ?? []).map((child, i) => (
            <li key={[i, child.href].join('-')}>
              <NavigationElement {...child} />
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
};

/**
 * The sidebar's menu of resources (AdminJS's SidebarResourceSection with its Navigation). AdminJS
 * draws a group ("Shop", "Quality") as an <a> without href: not reachable by Tab, not announced
 * as a control, and silent about being open or closed. A group here is a <button> with
 * aria-expanded that controls its list; each resource stays a link with its address. The menu is
 * a <nav> landmark, so a screen reader can jump to it.
 */
const SidebarResourceSection: React.FC<Props> = ({ resources }) => {
  const elements = useNavigationResources(resources);
  const { translateLabel } = useTranslation();
  const label = translateLabel('navigation');
  return (
    <StyledNavigation as="nav" aria-label="Menu" px="xl" py="lg">
      {!!label?.length && (
        <Label as="span" pl="lg" mb="md" uppercase>
          {label}
        </Label>
      )}
      <ul>
        {elements.map((element, index) =>
          element.elements ? (
            <Group key={`group-${index}`} element={element} index={index} />
          ) : (
            <li key={[index, element.href].join('-')}>
              <NavigationElement {...element} />
            </li>
          ),
        )}
      </ul>
    </StyledNavigation>
  );
};

export default SidebarResourceSection;
